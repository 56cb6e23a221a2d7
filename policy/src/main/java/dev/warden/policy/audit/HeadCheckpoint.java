package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A signed statement of where every chain of one writer instance ended at a moment: for each tenant the head's
 * sequence number and hash, and so also which tenant chains exist. A hash chain alone proves only that nothing
 * before its head changed; against the latest checkpoint the verifier also catches the newest entries cut off, a
 * whole chain deleted, and a chain rewritten with its hashes recomputed, none of which an attacker without the
 * operator's key ({@link OperatorKey}) can sign again. Entries written after the latest checkpoint are covered by
 * the next one, so the checkpoint interval bounds what can be cut unnoticed.
 * <p>
 * {@code body} is the signed text, canonical JSON of format, instance, time and heads; the store keeps it as it
 * was signed and the fields are read back from it, so verification never depends on re-serialising.
 */
public record HeadCheckpoint(
        String instance, Instant time, List<ChainHead> heads, String keyId, String body, String signature) {

    public static final int FORMAT = 1;

    public HeadCheckpoint {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(time, "time");
        heads = List.copyOf(heads);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(signature, "signature");
    }

    /** Signs the heads (any order; sorted by tenant in the body) of {@code instance}'s chains. */
    public static HeadCheckpoint sign(OperatorKey key, String instance, Instant time, Iterable<ChainHead> heads) {
        List<ChainHead> sorted = new ArrayList<>();
        heads.forEach(sorted::add);
        sorted.sort(Comparator.comparing(ChainHead::tenant));
        List<Object> list = new ArrayList<>();
        for (ChainHead h : sorted) {
            if (!h.instance().equals(instance)) {
                throw new IllegalArgumentException("head of " + h.chain() + " in a checkpoint of " + instance);
            }
            list.add(new TreeMap<>(Map.of("tenant", h.tenant(), "seq", h.seq(), "hash", h.hash())));
        }
        String body = CanonicalJson.write(Map.of(
                "format",
                FORMAT,
                "kind",
                "HEADS",
                "instance",
                instance,
                "time",
                time.toString(),
                "keyId",
                key.keyId(),
                "heads",
                list));
        String signature = Base64.getEncoder().encodeToString(key.sign(body.getBytes(StandardCharsets.UTF_8)));
        return new HeadCheckpoint(instance, time, sorted, key.keyId(), body, signature);
    }

    /** Rebuilds a stored checkpoint from the signed body; whether the signature holds is {@link #signedBy}'s job. */
    @SuppressWarnings("unchecked")
    public static HeadCheckpoint stored(String body, String signature) {
        Map<String, Object> m = CanonicalJson.read(body);
        String instance = (String) m.get("instance");
        List<ChainHead> heads = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("heads", List.of())) {
            Map<String, Object> h = (Map<String, Object>) o;
            heads.add(new ChainHead(
                    (String) h.get("tenant"), instance, ((Number) h.get("seq")).longValue(), (String) h.get("hash")));
        }
        return new HeadCheckpoint(
                instance, Instant.parse((String) m.get("time")), heads, (String) m.get("keyId"), body, signature);
    }

    /** True when {@code signature} is {@code key}'s Ed25519 signature of exactly {@code body}. */
    public boolean signedBy(PublicKey key) {
        try {
            return OperatorKey.verify(
                    key,
                    body.getBytes(StandardCharsets.UTF_8),
                    Base64.getDecoder().decode(signature));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The head this checkpoint vouches for on the tenant's chain, if it lists that chain. */
    public Optional<ChainHead> head(String tenant) {
        return heads.stream().filter(h -> h.tenant().equals(tenant)).findFirst();
    }
}
