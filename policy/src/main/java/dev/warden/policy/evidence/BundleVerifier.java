package dev.warden.policy.evidence;

import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.CanonicalJson;
import dev.warden.policy.audit.ChainHead;
import dev.warden.policy.audit.ChainId;
import dev.warden.policy.audit.HashChain;
import dev.warden.policy.audit.HeadCheckpoint;
import dev.warden.policy.audit.OperatorKey;
import dev.warden.policy.audit.PolicyVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks an {@link EvidenceBundle} offline with nothing but the bundle and the operator's public key: the
 * manifest's signature, the digest of everything before it, every chain link (each entry's hash recomputed from its
 * body, each {@code prevHash} the predecessor's hash), completeness (every chain the manifest lists is there from
 * its first to its last entry without a gap, and no entry is there that it does not list), the signed chain-head
 * checkpoints (signature, and the vouched-for entries' hashes where they fall inside the bundle), and the policy
 * versions (every one a record names is present and its documents still hash to its digest).
 * <p>
 * Every problem is reported, not just the first, and an altered entry is named by chain, seq and request id (or,
 * when its line is no longer readable, by line number), so that one changed byte points at the record it is in.
 */
public final class BundleVerifier {

    /** One problem; {@code seq} 0 and {@code requestId} "-" when it is not about one entry. */
    public record Finding(int line, String chain, long seq, String requestId, String problem) {
        @Override
        public String toString() {
            return (chain == null ? "bundle" : "chain=" + chain + " seq=" + seq + " request=" + requestId) + " (line "
                    + line + "): " + problem;
        }
    }

    /** The outcome: what was checked and everything that did not hold. */
    public record Report(long entries, int chains, int checkpoints, int policyVersions, List<Finding> findings) {
        public boolean intact() {
            return findings.isEmpty();
        }
    }

    private final PublicKey key;
    private final List<Finding> findings = new ArrayList<>();

    private BundleVerifier(PublicKey key) {
        this.key = key;
    }

    /** Verifies the bundle's bytes against the operator's public key. */
    public static Report verify(byte[] bundle, PublicKey key) {
        return new BundleVerifier(key).run(bundle);
    }

    private record Line(int number, int start, int end, String text) {}

    private static final class ChainState {
        long count;
        long lastSeq = -1;
        String lastHash;
        final Map<Long, String> hashes = new HashMap<>();
    }

    @SuppressWarnings("unchecked")
    private Report run(byte[] bundle) {
        List<Line> lines = split(bundle);
        if (lines.size() < 2) {
            bundleProblem(lines.size(), "not an evidence bundle: it needs a manifest line and a signature line");
            return new Report(0, 0, 0, 0, findings);
        }
        Line manifestLine = lines.get(lines.size() - 2);
        Line signatureLine = lines.get(lines.size() - 1);
        Map<String, Object> manifest = manifest(manifestLine, signatureLine, bundle);
        Map<String, Map<String, Object>> listed = new LinkedHashMap<>();
        if (manifest != null) {
            for (Object o : (List<Object>) manifest.getOrDefault("chains", List.of())) {
                Map<String, Object> c = (Map<String, Object>) o;
                listed.put(
                        new ChainId(String.valueOf(c.get("tenant")), String.valueOf(c.get("instance"))).toString(), c);
            }
        }
        Map<String, ChainState> chains = new TreeMap<>();
        TreeSet<String> referenced = new TreeSet<>();
        List<HeadCheckpoint> checkpoints = new ArrayList<>();
        List<Integer> checkpointLines = new ArrayList<>();
        Map<String, PolicyVersion> policies = new TreeMap<>();
        long entries = 0;
        for (Line line : lines.subList(0, lines.size() - 2)) {
            if (line.text().startsWith("{\"entry\":")) {
                entries++;
                entry(line, listed, chains, referenced);
                continue;
            }
            Map<String, Object> m;
            try {
                m = CanonicalJson.read(line.text());
            } catch (RuntimeException e) {
                bundleProblem(line.number(), "line is not readable JSON: it was altered");
                continue;
            }
            if (m.get("checkpoint") instanceof Map<?, ?> cp) {
                try {
                    checkpoints.add(
                            HeadCheckpoint.stored(String.valueOf(cp.get("body")), String.valueOf(cp.get("signature"))));
                    checkpointLines.add(line.number());
                } catch (RuntimeException e) {
                    bundleProblem(line.number(), "chain-head checkpoint is not readable: it was altered");
                }
            } else if (m.get("policyVersion") instanceof Map<?, ?> pv) {
                Map<String, String> docs = new TreeMap<>();
                ((Map<String, Object>) pv.get("documents")).forEach((k, v) -> docs.put(k, String.valueOf(v)));
                PolicyVersion v = new PolicyVersion(
                        String.valueOf(pv.get("digest")), Instant.parse(String.valueOf(pv.get("firstSeen"))), docs);
                if (!v.intact()) {
                    bundleProblem(
                            line.number(),
                            "policy version " + v.digest() + ": its documents do not hash to "
                                    + "its digest: they were altered");
                }
                policies.put(v.digest(), v);
            } else {
                bundleProblem(line.number(), "unknown line in an evidence bundle");
            }
        }
        completeness(listed, chains);
        checkpoints(checkpoints, checkpointLines, chains);
        for (String digest : referenced) {
            if (!policies.containsKey(digest)) {
                bundleProblem(0, "policy version " + digest + " is named by a record but not in the bundle");
            }
        }
        if (manifest != null) {
            Set<String> declared = new TreeSet<>();
            ((List<Object>) manifest.getOrDefault("policyVersions", List.of()))
                    .forEach(d -> declared.add(String.valueOf(d)));
            if (!declared.containsAll(referenced)) {
                bundleProblem(
                        manifestLine.number(),
                        "the manifest's policy versions " + declared + " are not the ones the records name "
                                + referenced);
            }
        }
        return new Report(entries, chains.size(), checkpoints.size(), policies.size(), List.copyOf(findings));
    }

    private Map<String, Object> manifest(Line manifestLine, Line signatureLine, byte[] bundle) {
        Map<String, Object> manifest = null;
        try {
            Object m = CanonicalJson.read(manifestLine.text()).get("manifest");
            if (m instanceof Map<?, ?>) {
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) m;
                manifest = typed;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        if (manifest == null) {
            bundleProblem(manifestLine.number(), "the manifest is not readable: it was altered");
        }
        String signature = null;
        try {
            Object s = CanonicalJson.read(signatureLine.text()).get("signature");
            if (s instanceof Map<?, ?> sm) {
                signature = String.valueOf(sm.get("value"));
            }
        } catch (RuntimeException e) {
            // reported below
        }
        if (signature == null
                || !OperatorKey.verifyBase64(key, manifestLine.text().getBytes(StandardCharsets.UTF_8), signature)) {
            bundleProblem(
                    manifestLine.number(),
                    "the manifest's signature does not hold for the operator key " + OperatorKey.idOf(key)
                            + ": the manifest or its signature was altered, or another key signed it");
        }
        if (manifest != null) {
            String expected = String.valueOf(manifest.get("linesSha256"));
            String actual = sha256(bundle, 0, manifestLine.start());
            if (!expected.equals(actual)) {
                bundleProblem(
                        manifestLine.number(),
                        "the bytes before the manifest do not have the digest it states "
                                + "(linesSha256): the bundle was altered after it was signed");
            }
        }
        return manifest;
    }

    private void entry(
            Line line,
            Map<String, Map<String, Object>> listed,
            Map<String, ChainState> chains,
            TreeSet<String> referenced) {
        String text = line.text();
        int cut = text.lastIndexOf(",\"hash\":\"");
        Map<String, Object> fields;
        if (cut < "{\"entry\":".length()) {
            bundleProblem(line.number(), "entry line is not readable (its chain fields were altered)");
            return;
        }
        try {
            fields = CanonicalJson.read("{" + text.substring(cut + 1));
        } catch (RuntimeException e) {
            bundleProblem(line.number(), "entry line is not readable (its chain fields were altered)");
            return;
        }
        String body = text.substring("{\"entry\":".length(), cut);
        ChainId chain = new ChainId(String.valueOf(fields.get("tenant")), String.valueOf(fields.get("instance")));
        long seq = fields.get("seq") instanceof Number n ? n.longValue() : -1;
        String prevHash = String.valueOf(fields.get("prevHash"));
        String hash = String.valueOf(fields.get("hash"));
        String requestId = requestId(body);
        ChainState state = chains.computeIfAbsent(chain.toString(), k -> new ChainState());
        Map<String, Object> declared = listed.get(chain.toString());
        if (declared == null) {
            problem(line.number(), chain, seq, requestId, "entry of a chain the manifest does not list");
        }
        long expectedSeq = state.lastSeq < 0 ? num(declared, "firstSeq") : state.lastSeq + 1;
        String expectedPrev = state.lastSeq < 0 ? str(declared, "firstPrevHash") : state.lastHash;
        if (seq != expectedSeq) {
            problem(
                    line.number(),
                    chain,
                    seq,
                    requestId,
                    "expected seq " + expectedSeq + " but found " + seq
                            + (seq > expectedSeq
                                    ? ": entries " + expectedSeq + ".." + (seq - 1) + " are missing"
                                    : ""));
        } else if (expectedPrev != null && !expectedPrev.equals(prevHash)) {
            problem(line.number(), chain, seq, requestId, "prevHash is not the hash of the entry before it");
        }
        if (!HashChain.link(prevHash, body).equals(hash)) {
            problem(
                    line.number(),
                    chain,
                    seq,
                    requestId,
                    "hash does not match SHA-256(prevHash + body): the entry was altered");
        } else {
            try {
                AuditEntry entry = CanonicalJson.parse(body);
                if (!entry.tenant().equals(chain.tenant())) {
                    problem(line.number(), chain, seq, requestId, "body belongs to tenant " + entry.tenant());
                }
                EvidenceBundle.referencedPolicies(entry, referenced);
                Object content = fields.get("content");
                if (content != null
                        && !(entry instanceof dev.warden.policy.audit.AuditRecord r
                                && r.contentDigest() != null
                                && r.contentDigest()
                                        .equals(dev.warden.policy.audit.AuditRecord.Content.digestOf(
                                                content.toString())))) {
                    problem(
                            line.number(),
                            chain,
                            seq,
                            requestId,
                            "the content does not match the digest in the " + "hashed body: the content was altered");
                }
            } catch (RuntimeException e) {
                problem(line.number(), chain, seq, requestId, "body is not a readable audit entry");
            }
        }
        state.count++;
        state.lastSeq = seq;
        state.lastHash = hash;
        state.hashes.put(seq, hash);
    }

    private void completeness(Map<String, Map<String, Object>> listed, Map<String, ChainState> chains) {
        listed.forEach((name, declared) -> {
            ChainState state = chains.get(name);
            ChainId chain = new ChainId(str(declared, "tenant"), str(declared, "instance"));
            long entries = num(declared, "entries");
            if (state == null) {
                problem(
                        0,
                        chain,
                        num(declared, "firstSeq"),
                        "-",
                        "the manifest lists " + entries
                                + " entries of this chain but none is in the bundle: they were removed");
                return;
            }
            long lastSeq = num(declared, "lastSeq");
            if (state.count != entries || state.lastSeq != lastSeq) {
                problem(
                        0,
                        chain,
                        state.lastSeq + 1,
                        "-",
                        "the manifest lists " + entries + " entries up to seq "
                                + lastSeq + " but the bundle holds " + state.count + " up to seq " + state.lastSeq
                                + ": entries were removed or added");
            } else if (!String.valueOf(declared.get("lastHash")).equals(state.lastHash)) {
                problem(0, chain, lastSeq, "-", "the last entry's hash is not the one the manifest lists");
            }
        });
    }

    private void checkpoints(
            List<HeadCheckpoint> checkpoints, List<Integer> lineNumbers, Map<String, ChainState> chains) {
        for (int i = 0; i < checkpoints.size(); i++) {
            HeadCheckpoint cp = checkpoints.get(i);
            if (!cp.signedBy(key)) {
                bundleProblem(
                        lineNumbers.get(i),
                        "the chain-head checkpoint of instance " + cp.instance() + " (" + cp.time()
                                + ") is not signed by the operator key: it was forged or altered");
                continue;
            }
            for (ChainHead head : cp.heads()) {
                ChainState state = chains.get(head.chain().toString());
                String found = state == null ? null : state.hashes.get(head.seq());
                if (found != null && !found.equals(head.hash())) {
                    problem(
                            lineNumbers.get(i),
                            head.chain(),
                            head.seq(),
                            "-",
                            "not the entry the signed checkpoint " + "of " + cp.time()
                                    + " vouches for: the chain was rewritten");
                }
            }
        }
    }

    private static String requestId(String body) {
        try {
            Object id = CanonicalJson.read(body).get("requestId");
            if (id == null) {
                id = CanonicalJson.read(body).get("id");
            }
            return id == null ? "-" : id.toString();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private void problem(int line, ChainId chain, long seq, String requestId, String problem) {
        findings.add(new Finding(line, chain.toString(), seq, requestId, problem));
    }

    private void bundleProblem(int line, String problem) {
        findings.add(new Finding(line, null, 0, "-", problem));
    }

    private static long num(Map<String, Object> m, String k) {
        return m != null && m.get(k) instanceof Number n ? n.longValue() : -1;
    }

    private static String str(Map<String, Object> m, String k) {
        return m == null || m.get(k) == null ? null : m.get(k).toString();
    }

    private static List<Line> split(byte[] bundle) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        int number = 1;
        for (int i = 0; i < bundle.length; i++) {
            if (bundle[i] == '\n') {
                lines.add(new Line(number++, start, i, new String(bundle, start, i - start, StandardCharsets.UTF_8)));
                start = i + 1;
            }
        }
        if (start < bundle.length) {
            lines.add(new Line(
                    number,
                    start,
                    bundle.length,
                    new String(bundle, start, bundle.length - start, StandardCharsets.UTF_8)));
        }
        return lines;
    }

    private static String sha256(byte[] bytes, int from, int to) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(bytes, from, to - from);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
