package dev.warden.policy.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Streams every record matching a query (from its cursor on, ignoring its page size) page by page, so an export
 * of any size holds one page in memory. JSON Lines carries each entry's canonical body verbatim with its chain
 * fields, so an export can be verified offline; CSV flattens the fields spreadsheets need.
 */
public final class AuditExport {

    private static final int PAGE = AuditQuery.MAX_LIMIT;

    static final List<String> CSV_HEADER = List.of(
            "tenant",
            "seq",
            "request_id",
            "time",
            "key_id",
            "model",
            "purpose",
            "outcome",
            "decision",
            "rule",
            "http_status",
            "streaming",
            "tokens_released",
            "prompt_tokens",
            "completion_tokens",
            "latency_total_ms",
            "latency_guard_input_ms",
            "latency_inference_ms",
            "latency_guard_output_ms",
            "classifiers",
            "categories",
            "prompt_sha256",
            "response_sha256",
            "prev_hash",
            "hash",
            "instance");

    private final AuditStore store;

    public AuditExport(AuditStore store) {
        this.store = store;
    }

    public long csv(AuditQuery query, OutputStream out) {
        return csv(query, writer(out));
    }

    /** Returns the number of records written; flushes but does not close {@code out}. */
    public long csv(AuditQuery query, Writer out) {
        try {
            out.write(String.join(",", CSV_HEADER));
            out.write("\r\n");
            long n = forEach(query, e -> {
                AuditRecord r = (AuditRecord) e.entry();
                List<Object> row = List.of(
                        r.tenant(),
                        e.seq(),
                        r.requestId(),
                        r.time(),
                        nz(r.keyId()),
                        nz(r.model()),
                        nz(r.purpose()),
                        r.outcome(),
                        nz(r.decision()),
                        nz(r.rule()),
                        r.httpStatus(),
                        r.streaming(),
                        r.tokensReleased(),
                        r.usage().prompt(),
                        r.usage().completion(),
                        r.latencies().total().toMillis(),
                        r.latencies().guardInput().toMillis(),
                        r.latencies().inference().toMillis(),
                        r.latencies().guardOutput().toMillis(),
                        String.join(" ", r.classifiers()),
                        String.join(" ", r.categories()),
                        nz(r.promptSha256()),
                        nz(r.responseSha256()),
                        e.prevHash(),
                        e.hash(),
                        e.instance());
                out.write(row.stream().map(v -> csvField(v.toString())).collect(Collectors.joining(",")));
                out.write("\r\n");
            });
            out.flush();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long jsonLines(AuditQuery query, OutputStream out) {
        return jsonLines(query, writer(out));
    }

    /**
     * One line per record:
     * {@code {"entry":<canonical body, verbatim>,"hash":..,"instance":..,"prevHash":..,"seq":..,"tenant":..}};
     * (tenant, instance) names the record's chain.
     * Returns the number of lines written; flushes but does not close {@code out}.
     */
    public long jsonLines(AuditQuery query, Writer out) {
        try {
            long n = forEach(query, e -> {
                out.write(jsonLine(
                        e.tenant(), e.instance(), e.seq(), e.prevHash(), e.hash(), e.body(), e.detachedContent()));
                out.write("\n");
            });
            out.flush();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One entry as a JSON Lines line (without the line feed):
     * {@code {"entry":<canonical body, verbatim>,"hash":..,"instance":..,"prevHash":..,"seq":..,"tenant":..}}, and
     * {@code "content":"<canonical JSON of the detached content>"} last when the record keeps content beside it. The
     * body comes first and verbatim so that a reader can take its exact bytes back out: everything from
     * {@code {"entry":} to the last {@code ,"hash":"}.
     */
    public static String jsonLine(
            String tenant, String instance, long seq, String prevHash, String hash, String body, String content) {
        String chain = CanonicalJson.write(
                Map.of("hash", hash, "instance", instance, "prevHash", prevHash, "seq", seq, "tenant", tenant));
        String line = "{\"entry\":" + body + "," + chain.substring(1);
        if (content == null) {
            return line;
        }
        // Last, after the chain fields: a JSON string, so it cannot hold the unescaped ,"hash":" a reader cuts at.
        String wrapped = CanonicalJson.write(Map.of("c", content));
        String quoted = wrapped.substring("{\"c\":".length(), wrapped.length() - 1);
        return line.substring(0, line.length() - 1) + ",\"content\":" + quoted + "}";
    }

    @FunctionalInterface
    private interface Sink {
        void accept(ChainedEntry entry) throws IOException;
    }

    private long forEach(AuditQuery query, Sink sink) throws IOException {
        AuditQuery page = query.toBuilder().limit(PAGE).build();
        long n = 0;
        while (true) {
            AuditPage result = store.query(page);
            for (ChainedEntry e : result.entries()) {
                sink.accept(e);
                n++;
            }
            Optional<String> next = result.nextCursor();
            if (next.isEmpty()) {
                return n;
            }
            page = page.toBuilder().cursor(next.get()).build();
        }
    }

    private static Writer writer(OutputStream out) {
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** RFC 4180: quote when the field holds a separator, quote or line break; double the quotes inside. */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
