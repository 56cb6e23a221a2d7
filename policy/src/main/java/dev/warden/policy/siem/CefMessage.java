package dev.warden.policy.siem;

import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.audit.RetentionCheckpoint;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One audit entry as an RFC 5424 syslog message whose MSG is ArcSight CEF, on one line:
 * {@code <PRI>1 TIMESTAMP HOST warden - audit - CEF:0|Warden|Warden Gateway|1|SIGNATURE|NAME|SEVERITY|EXTENSIONS}.
 * Facility is 13 (log audit); the syslog severity follows the outcome (blocked: warning, allowed: informational).
 * <p>
 * What a SIEM needs to correlate: request id ({@code externalId}), tenant, key id ({@code suser}, an id, never the
 * key), model, decision ({@code act}), rule, categories ({@code cat}), policy version, and the entry's chain position
 * and hash so that a SIEM copy can be checked against the chain. Prompt and response text never leave in syslog,
 * whatever the tenant stores.
 */
public final class CefMessage {

    static final int FACILITY_LOG_AUDIT = 13;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

    private CefMessage() {}

    public static String of(ChainedEntry e, String host) {
        var entry = e.entry();
        Map<String, String> ext = new LinkedHashMap<>();
        ext.put("rt", String.valueOf(entry.time().toEpochMilli()));
        ext.put("externalId", entry.requestId());
        ext.put("cs1Label", "tenant");
        ext.put("cs1", entry.tenant());
        String signature;
        String name;
        int cefSeverity;
        int syslogSeverity;
        if (entry instanceof AuditRecord r) {
            signature = r.outcome().name().toLowerCase();
            name = "request " + signature.replace('_', ' ');
            cefSeverity = severity(r.outcome());
            syslogSeverity = cefSeverity >= 7 ? 4 : cefSeverity >= 5 ? 5 : 6;
            put(ext, "suser", r.keyId());
            put(ext, "act", r.decision());
            put(ext, "outcome", signature);
            if (!r.categories().isEmpty()) {
                ext.put("cat", String.join(",", r.categories()));
            }
            ext.put("cs2Label", "model");
            put(ext, "cs2", r.model());
            ext.put("cs3Label", "rule");
            put(ext, "cs3", r.rule());
            ext.put("cs4Label", "policyVersion");
            put(ext, "cs4", r.policyVersion());
            ext.put("cn1Label", "httpStatus");
            ext.put("cn1", String.valueOf(r.httpStatus()));
            if (!r.classifiers().isEmpty()) {
                ext.put("cs6Label", "classifiers");
                ext.put("cs6", String.join(",", r.classifiers()));
            }
            if (r.origin() != null) {
                put(ext, "src", r.origin().clientAddress());
                put(ext, "request", r.origin().route());
            }
        } else if (entry instanceof AdminAction a) {
            signature = "admin." + a.action();
            name = "admin action " + a.action();
            cefSeverity = 5;
            syslogSeverity = 5;
            ext.put("suser", a.actor());
            ext.put("act", a.action());
            put(ext, "duser", a.subject());
        } else {
            RetentionCheckpoint c = (RetentionCheckpoint) entry;
            signature = "retention.checkpoint";
            name = "retention deleted entries up to seq " + c.anchorSeq();
            cefSeverity = 3;
            syslogSeverity = 5;
            ext.put("act", "retention");
        }
        ext.put("cs5Label", "chain");
        ext.put("cs5", e.tenant() + "@" + e.instance() + ":" + e.seq());
        ext.put("fileHash", e.hash());
        StringBuilder cef = new StringBuilder("CEF:0|Warden|Warden Gateway|1|")
                .append(header(signature))
                .append('|')
                .append(header(name))
                .append('|')
                .append(cefSeverity)
                .append('|');
        boolean first = true;
        for (Map.Entry<String, String> kv : ext.entrySet()) {
            if (!first) {
                cef.append(' ');
            }
            first = false;
            cef.append(kv.getKey()).append('=').append(extension(kv.getValue()));
        }
        int pri = FACILITY_LOG_AUDIT * 8 + syslogSeverity;
        return "<" + pri + ">1 " + TIME.format(entry.time().truncatedTo(ChronoUnit.MILLIS)) + " " + token(host)
                + " warden - audit - " + cef;
    }

    private static int severity(Outcome outcome) {
        return switch (outcome) {
            case BLOCKED_INPUT, CUT_OUTPUT -> 7;
            case UNAUTHENTICATED, LICENCE_DENIED, INTERRUPTED -> 5;
            case RATE_LIMITED, BAD_REQUEST, UPSTREAM_ERROR, PARTIAL_STREAM, CLIENT_ABORT -> 3;
            case ALLOWED, STREAM_STARTED -> 1;
        };
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** CEF header fields escape backslash and pipe; no line breaks anywhere, so one message is one line. */
    static String header(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    /** CEF extension values escape backslash and equals, and write line breaks as \n and \r. */
    static String extension(String s) {
        return s.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n");
    }

    /** RFC 5424 HOSTNAME: printable US-ASCII without spaces, at most 255 characters, or "-". */
    static String token(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c > 32 && c < 127 ? c : '_');
        }
        return b.length() > 255 ? b.substring(0, 255) : b.toString();
    }
}
