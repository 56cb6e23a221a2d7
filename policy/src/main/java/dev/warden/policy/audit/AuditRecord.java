package dev.warden.policy.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything compliance needs to know about one request: who (tenant and key id, never the key), what (model,
 * purpose, fingerprints of prompt and response, the content itself only when the tenant opted in and already
 * redacted), what the classifiers said, what was decided and by which rule, and what it cost.
 * <p>
 * {@code promptSha256} and {@code responseSha256} are content fingerprints made by the function {@code fingerprint}
 * names: {@link FingerprintKey#ALGORITHM} (keyed, so a guessed text cannot be confirmed from the log) or null for
 * plain SHA-256 (records written before the key existed).
 * <p>
 * Content is detached: the hashed body holds only {@code contentDigest}, the digest of the content's canonical JSON,
 * and the store keeps the text beside the record, so that content can be erased after the tenant's content period
 * while the chain still verifies (and what remains is proven by the digest). Records written before held content
 * inline in the body ({@code contentDigest} null); theirs cannot be erased separately.
 * <p>
 * {@code policyVersion} is the {@link PolicyVersion#digest()} of the tenants file and licence files in force when the
 * decision was made (null in records written before it was recorded).
 * <p>
 * The request id is always the gateway's own; {@code clientRequestId} is the client's {@code x-request-id}, kept
 * beside it (null when none was sent), so that one tenant can never make its records share an id with another's.
 * {@code traceId} is the W3C trace id of the request's trace when tracing is on (null otherwise), to go from a
 * record to its spans and back.
 * <p>
 * Immutable; build one with {@link #builder(String, String)}. The chain position (sequence, hashes) is not part
 * of the record: the {@link AuditLog} assigns it when the record is appended.
 */
public record AuditRecord(
        String requestId,
        Instant time,
        String tenant,
        String keyId,
        String model,
        String purpose,
        Outcome outcome,
        List<ClassifierVerdict> verdicts,
        String decision,
        String rule,
        boolean streaming,
        long tokensReleased,
        TokenUsage usage,
        Latencies latencies,
        int httpStatus,
        String promptSha256,
        String responseSha256,
        Content content,
        Origin origin,
        String fingerprint,
        String clientRequestId,
        String policyVersion,
        String traceId,
        Batch batch,
        String contentDigest)
        implements AuditEntry {

    /** Tokens as the inference engine counted them. */
    public record TokenUsage(long prompt, long completion) {
        public static final TokenUsage NONE = new TokenUsage(0, 0);

        public long total() {
            return prompt + completion;
        }
    }

    /** Where the time went; a stage that did not run is {@link Duration#ZERO}. */
    public record Latencies(Duration total, Duration guardInput, Duration inference, Duration guardOutput) {
        public static final Latencies NONE = new Latencies(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        public Latencies {
            total = orZero(total);
            guardInput = orZero(guardInput);
            inference = orZero(inference);
            guardOutput = orZero(guardOutput);
        }

        private static Duration orZero(Duration d) {
            return d == null ? Duration.ZERO : d;
        }
    }

    /** Prompt and response text, kept only for tenants that ask for it; the caller redacts before passing it. */
    public record Content(String prompt, String response) {

        /** The canonical JSON of the content, as the store keeps it beside the record and as its digest covers. */
        public String canonical() {
            java.util.Map<String, Object> m = new java.util.TreeMap<>();
            if (prompt != null) {
                m.put("prompt", prompt);
            }
            if (response != null) {
                m.put("response", response);
            }
            return CanonicalJson.write(m);
        }

        /** {@code sha256:} and the SHA-256 of {@link #canonical()}: what the hashed record body holds. */
        public String digest() {
            return digestOf(canonical());
        }

        public static String digestOf(String canonical) {
            return "sha256:" + Sha256.ofText(canonical);
        }

        /** Content from its canonical JSON. */
        public static Content parse(String canonical) {
            java.util.Map<String, Object> m = CanonicalJson.read(canonical);
            return new Content(
                    m.get("prompt") == null ? null : m.get("prompt").toString(),
                    m.get("response") == null ? null : m.get("response").toString());
        }
    }

    /**
     * Where a request came from, kept only for requests refused before a tenant was known (failed
     * authentication), where it is all there is to say about the caller: the path asked for and the TCP peer's
     * address (the gateway trusts no forwarding header, so behind a proxy this is the proxy). Either may be null.
     */
    public record Origin(String route, String clientAddress) {}

    /**
     * What a record has to do with the Batch API, kept only for such records: a batch line's batch id and
     * {@code custom_id}, or a stored file's id and its SHA-256 (an upload, a batch's input or output). Unused
     * parts are null.
     */
    public record Batch(String batchId, String customId, String fileId, String fileSha256) {

        public static Batch line(String batchId, String customId) {
            return new Batch(batchId, customId, null, null);
        }

        public static Batch file(String batchId, String fileId, String fileSha256) {
            return new Batch(batchId, null, fileId, fileSha256);
        }
    }

    public AuditRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(outcome, "outcome");
        verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
        usage = usage == null ? TokenUsage.NONE : usage;
        latencies = latencies == null ? Latencies.NONE : latencies;
    }

    @Override
    public Kind kind() {
        return Kind.REQUEST;
    }

    /** True when the record had detached content that was erased by retention (or never stored beside it). */
    public boolean contentErased() {
        return contentDigest != null && content == null;
    }

    /** This record with its detached content put back (as read from beside the body), or without it. */
    public AuditRecord withContent(Content detached) {
        return new AuditRecord(
                requestId,
                time,
                tenant,
                keyId,
                model,
                purpose,
                outcome,
                verdicts,
                decision,
                rule,
                streaming,
                tokensReleased,
                usage,
                latencies,
                httpStatus,
                promptSha256,
                responseSha256,
                detached,
                origin,
                fingerprint,
                clientRequestId,
                policyVersion,
                traceId,
                batch,
                contentDigest);
    }

    /** Union of the flagged categories of all verdicts, sorted. */
    public List<String> categories() {
        TreeSet<String> all = new TreeSet<>();
        verdicts.forEach(v -> all.addAll(v.categories()));
        return List.copyOf(all);
    }

    /** Names of the classifiers that gave a verdict, sorted. */
    public List<String> classifiers() {
        TreeSet<String> all = new TreeSet<>();
        verdicts.forEach(v -> all.add(v.name()));
        return List.copyOf(all);
    }

    public static Builder builder(String requestId, String tenant) {
        return new Builder(requestId, tenant);
    }

    public Builder toBuilder() {
        Builder b = new Builder(requestId, tenant);
        b.time = time;
        b.keyId = keyId;
        b.model = model;
        b.purpose = purpose;
        b.outcome = outcome;
        b.verdicts.addAll(verdicts);
        b.decision = decision;
        b.rule = rule;
        b.streaming = streaming;
        b.tokensReleased = tokensReleased;
        b.usage = usage;
        b.latencies = latencies;
        b.httpStatus = httpStatus;
        b.promptSha256 = promptSha256;
        b.responseSha256 = responseSha256;
        b.content = content;
        b.origin = origin;
        b.fingerprint = fingerprint;
        b.clientRequestId = clientRequestId;
        b.policyVersion = policyVersion;
        b.traceId = traceId;
        b.batch = batch;
        b.contentDigest = contentDigest;
        return b;
    }

    public static final class Builder {
        private final String requestId;
        private final String tenant;
        private Instant time;
        private String keyId;
        private String model;
        private String purpose;
        private Outcome outcome = Outcome.ALLOWED;
        private final List<ClassifierVerdict> verdicts = new ArrayList<>();
        private String decision;
        private String rule;
        private boolean streaming;
        private long tokensReleased;
        private TokenUsage usage = TokenUsage.NONE;
        private Latencies latencies = Latencies.NONE;
        private int httpStatus = 200;
        private String promptSha256;
        private String responseSha256;
        private Content content;
        private Origin origin;
        private String fingerprint;
        private String clientRequestId;
        private String policyVersion;
        private String traceId;
        private Batch batch;
        private String contentDigest;

        private Builder(String requestId, String tenant) {
            this.requestId = requestId;
            this.tenant = tenant;
        }

        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder purpose(String purpose) {
            this.purpose = purpose;
            return this;
        }

        public Builder outcome(Outcome outcome) {
            this.outcome = outcome;
            return this;
        }

        public Builder verdict(ClassifierVerdict verdict) {
            this.verdicts.add(verdict);
            return this;
        }

        public Builder verdicts(List<ClassifierVerdict> verdicts) {
            this.verdicts.addAll(verdicts);
            return this;
        }

        public Builder decision(String decision, String rule) {
            this.decision = decision;
            this.rule = rule;
            return this;
        }

        public Builder streaming(boolean streaming, long tokensReleased) {
            this.streaming = streaming;
            this.tokensReleased = tokensReleased;
            return this;
        }

        public Builder usage(long promptTokens, long completionTokens) {
            this.usage = new TokenUsage(promptTokens, completionTokens);
            return this;
        }

        public Builder latencies(Latencies latencies) {
            this.latencies = latencies;
            return this;
        }

        public Builder httpStatus(int httpStatus) {
            this.httpStatus = httpStatus;
            return this;
        }

        public Builder promptSha256(String hex) {
            this.promptSha256 = hex;
            return this;
        }

        public Builder responseSha256(String hex) {
            this.responseSha256 = hex;
            return this;
        }

        /** Fingerprints the texts with plain SHA-256 (the pre-key format); prefer the keyed form. */
        public Builder fingerprint(String prompt, String response) {
            this.promptSha256 = Sha256.ofText(prompt);
            this.responseSha256 = Sha256.ofText(response);
            this.fingerprint = null;
            return this;
        }

        /** Fingerprints the texts with the keyed HMAC; they are not stored unless {@link #content} is called too. */
        public Builder fingerprint(FingerprintKey key, String prompt, String response) {
            this.promptSha256 = key.of(prompt);
            this.responseSha256 = key.of(response);
            this.fingerprint = FingerprintKey.ALGORITHM;
            return this;
        }

        /** Stores already-redacted content; call only for tenants that keep content. */
        public Builder content(String redactedPrompt, String redactedResponse) {
            this.content = new Content(redactedPrompt, redactedResponse);
            this.contentDigest = content.digest();
            return this;
        }

        /** Where the request came from; see {@link Origin} for when it is recorded. */
        public Builder origin(String route, String clientAddress) {
            this.origin = new Origin(route, clientAddress);
            return this;
        }

        /** The client's own id for the request ({@code x-request-id}), or null. */
        public Builder traceId(String traceId) {
            this.traceId = traceId;
            return this;
        }

        public Builder clientRequestId(String clientRequestId) {
            this.clientRequestId = clientRequestId;
            return this;
        }

        /** The digest of the policy in force for this decision ({@link PolicyVersion#digest()}), or null. */
        public Builder policyVersion(String policyVersion) {
            this.policyVersion = policyVersion;
            return this;
        }

        /** The batch, line or stored file this record is about; see {@link Batch}. */
        public Builder batch(Batch batch) {
            this.batch = batch;
            return this;
        }

        public AuditRecord build() {
            return new AuditRecord(
                    requestId,
                    time == null ? Instant.now() : time,
                    tenant,
                    keyId,
                    model,
                    purpose,
                    outcome,
                    verdicts,
                    decision,
                    rule,
                    streaming,
                    tokensReleased,
                    usage,
                    latencies,
                    httpStatus,
                    promptSha256,
                    responseSha256,
                    content,
                    origin,
                    fingerprint,
                    clientRequestId,
                    policyVersion,
                    traceId,
                    batch,
                    contentDigest);
        }
    }
}
