package dev.warden.policy.evidence;

import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.AuditExport;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.CanonicalJson;
import dev.warden.policy.audit.ChainHead;
import dev.warden.policy.audit.ChainId;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.HeadCheckpoint;
import dev.warden.policy.audit.OperatorKey;
import dev.warden.policy.audit.PolicyVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes an evidence bundle: one UTF-8 JSON Lines file an auditor can check offline with
 * {@code VerifyAuditCommand --bundle FILE --public-key KEY} ({@link BundleVerifier}). In order:
 * <ol>
 * <li>the chain entries, one line each in {@link AuditExport#jsonLine} form (canonical body verbatim, so every hash
 * can be recomputed), chain by chain in sequence order, with no gap: for each chain, every entry from the first one
 * in the time window to the last one in it, including retention checkpoints, admin actions and stream openings in
 * between (a record's time is when its request started, so a chain's order is not quite time order);</li>
 * <li>{@code {"checkpoint":{"body":..,"signature":..}}}: the latest signed chain-head checkpoint of each writer
 * instance involved, tying the exported chains to the heads the gateway signed;</li>
 * <li>{@code {"policyVersion":{"digest":..,"firstSeen":..,"documents":{..}}}}: every policy version a record or a
 * policy change in the bundle names, with its documents;</li>
 * <li>{@code {"manifest":{..}}}: filter, per chain its first and last entry (seq and hashes) and count, the policy
 * digests, whether content is included, and the SHA-256 of every byte before this line;</li>
 * <li>{@code {"signature":{"algorithm":"Ed25519","keyId":..,"value":..}}}: the operator key's signature of the
 * manifest line's exact bytes.</li>
 * </ol>
 * Content: prompt and response text appears only in records of tenants that store it ({@code audit.store-content})
 * and only while the tenant's content period keeps it, as the line's {@code content} (checked against the digest in
 * the hashed body) or, in records from before content was detached, inside the body; the manifest says whether any
 * is included.
 * API keys are never in an entry (only key ids), so never in a bundle.
 */
public final class EvidenceBundle {

    public static final int FORMAT = 1;
    public static final String KIND = "warden-evidence-bundle";

    /** What to export: one tenant's chains or all ({@code tenant} null), entries in [from, to) (either open). */
    public record Filter(String tenant, Instant from, Instant to) {
        boolean covers(Instant time) {
            return (from == null || !time.isBefore(from)) && (to == null || time.isBefore(to));
        }
    }

    /** What was written: entries per chain, the referenced policy versions, and the manifest's own digest. */
    public record Summary(
            long entries, int chains, List<String> policyVersions, boolean contentIncluded, String manifestSha256) {}

    private final AuditStore store;
    private final OperatorKey key;
    private final Clock clock;

    public EvidenceBundle(AuditStore store, OperatorKey key, Clock clock) {
        this.store = store;
        this.key = key;
        this.clock = clock;
    }

    /** Writes the bundle; flushes but does not close {@code out}. Blocking (store reads). */
    public Summary write(Filter filter, Writer out) {
        Digesting body = new Digesting(out);
        List<Object> chains = new ArrayList<>();
        TreeSet<String> policies = new TreeSet<>();
        TreeSet<String> instances = new TreeSet<>();
        long[] entries = {0};
        long[] withContent = {0};
        for (ChainId chain : store.chains()) {
            if (filter.tenant() != null && !filter.tenant().equals(chain.tenant())) {
                continue;
            }
            long anchor = store.anchor(chain).map(ChainHead::seq).orElse(0L);
            long[] range = {Long.MAX_VALUE, -1};
            store.scanChain(chain, anchor, row -> {
                if (filter.covers(Instant.ofEpochMilli(row.columns().timeMs()))) {
                    range[0] = Math.min(range[0], row.seq());
                    range[1] = Math.max(range[1], row.seq());
                }
            });
            if (range[1] < 0) {
                continue;
            }
            instances.add(chain.instance());
            Map<String, Object> c = new TreeMap<>();
            long[] count = {0};
            store.scanChain(chain, range[0] - 1, row -> {
                if (row.seq() > range[1]) {
                    return;
                }
                if (count[0] == 0) {
                    c.put("firstSeq", row.seq());
                    c.put("firstPrevHash", row.prevHash());
                }
                c.put("lastSeq", row.seq());
                c.put("lastHash", row.hash());
                count[0]++;
                ChainedEntry stored = row.entry();
                referencedPolicies(stored.entry(), policies);
                if (stored.entry() instanceof AuditRecord r && r.content() != null) {
                    withContent[0]++;
                }
                body.line(AuditExport.jsonLine(
                        row.tenant(),
                        row.instance(),
                        row.seq(),
                        row.prevHash(),
                        row.hash(),
                        row.body(),
                        stored.detachedContent()));
            });
            c.put("tenant", chain.tenant());
            c.put("instance", chain.instance());
            c.put("entries", count[0]);
            entries[0] += count[0];
            chains.add(c);
        }
        Map<String, HeadCheckpoint> latest = store.latestCheckpoints();
        int checkpoints = 0;
        for (String instance : instances) {
            HeadCheckpoint cp = latest.get(instance);
            if (cp != null) {
                body.line(CanonicalJson.write(
                        Map.of("checkpoint", new TreeMap<>(Map.of("body", cp.body(), "signature", cp.signature())))));
                checkpoints++;
            }
        }
        List<String> missing = new ArrayList<>();
        for (String digest : policies) {
            Optional<PolicyVersion> v = store.policyVersion(digest);
            if (v.isEmpty()) {
                missing.add(digest);
                continue;
            }
            body.line(CanonicalJson.write(Map.of(
                    "policyVersion",
                    new TreeMap<>(Map.of(
                            "digest",
                            digest,
                            "firstSeen",
                            v.get().firstSeen().toString(),
                            "documents",
                            v.get().documents())))));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", FORMAT);
        manifest.put("kind", KIND);
        manifest.put("created", clock.instant().toString());
        Map<String, Object> f = new TreeMap<>();
        putIf(f, "tenant", filter.tenant());
        putIf(f, "from", filter.from() == null ? null : filter.from().toString());
        putIf(f, "to", filter.to() == null ? null : filter.to().toString());
        manifest.put("filter", f);
        manifest.put("chains", chains);
        manifest.put("entries", entries[0]);
        manifest.put("checkpoints", checkpoints);
        manifest.put("policyVersions", List.copyOf(policies));
        if (!missing.isEmpty()) {
            manifest.put("policyVersionsNotStored", missing);
        }
        manifest.put(
                "content",
                new TreeMap<>(Map.of(
                        "included",
                        withContent[0] > 0,
                        "recordsWithContent",
                        withContent[0],
                        "note",
                        "prompt and response text appears only in records of tenants that store content "
                                + "(audit.store-content: true), already redacted, and only until their content period "
                                + "(audit.content-retention-days) erased it; all other records carry keyed fingerprints "
                                + "only. API keys are never recorded, only key ids.")));
        manifest.put("linesSha256", body.hex());
        manifest.put("keyId", key.keyId());
        manifest.put("publicKey", key.publicKeyText());
        String manifestLine = CanonicalJson.write(Map.of("manifest", manifest));
        String signature = key.signBase64(manifestLine.getBytes(StandardCharsets.UTF_8));
        body.line(manifestLine);
        body.line(CanonicalJson.write(Map.of(
                "signature", new TreeMap<>(Map.of("algorithm", "Ed25519", "keyId", key.keyId(), "value", signature)))));
        body.flush();
        return new Summary(
                entries[0],
                chains.size(),
                List.copyOf(policies),
                withContent[0] > 0,
                dev.warden.policy.audit.Sha256.ofText(manifestLine));
    }

    /** The policy versions an entry names: a record's own, a policy change's before and after. */
    static void referencedPolicies(AuditEntry entry, TreeSet<String> into) {
        if (entry instanceof AuditRecord r && r.policyVersion() != null) {
            into.add(r.policyVersion());
        }
        if (entry instanceof AdminAction a && PolicyHistory.ACTION.equals(a.action())) {
            for (String k : List.of("before", "after")) {
                Object v = a.details().get(k);
                if (v != null) {
                    into.add(v.toString());
                }
            }
        }
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** Writes lines and keeps the SHA-256 of every byte written, for the manifest. */
    private static final class Digesting {
        private final Writer out;
        private final MessageDigest digest;

        Digesting(Writer out) {
            this.out = out;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void line(String text) {
            String line = text + "\n";
            digest.update(line.getBytes(StandardCharsets.UTF_8));
            try {
                out.write(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
