package dev.warden.gateway.admin;

import dev.warden.policy.tenant.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configured admin keys, as hashes only: {@code warden.admin.key-sha256} (an admin key, as before roles
 * existed) and each {@code warden.admin.keys[]}. A presented key is hashed once and compared with every configured
 * hash in constant time, all of them, so the time taken does not say which one (or whether one) matched.
 */
public final class AdminKeys {

    /** Longer than any key this gateway makes; longer ones are refused without hashing them. */
    static final int MAX_KEY_LENGTH = 256;

    private record Entry(String sha256, AdminIdentity identity) {}

    private final List<Entry> entries;

    public AdminKeys(AdminProperties properties) {
        List<Entry> all = new ArrayList<>();
        if (properties.keySha256() != null) {
            all.add(entry(properties.keySha256(), AdminRole.ADMIN, List.of()));
        }
        for (AdminProperties.Key k : properties.keys()) {
            all.add(entry(k.sha256(), k.role(), k.grants()));
        }
        this.entries = List.copyOf(all);
    }

    private static Entry entry(String sha256, AdminRole role, List<String> grants) {
        return new Entry(sha256, new AdminIdentity(ApiKeys.keyId(sha256), role, java.util.Set.copyOf(grants)));
    }

    public boolean any() {
        return !entries.isEmpty();
    }

    /** The identity of {@code key}, or empty when it is none of the configured admin keys. */
    public Optional<AdminIdentity> identify(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        String presented = ApiKeys.hash(key);
        AdminIdentity found = null;
        for (Entry e : entries) {
            // No early exit: every hash is compared.
            if (ApiKeys.sameHash(presented, e.sha256()) && found == null) {
                found = e.identity();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Key ids and roles, for the start-up log line. */
    String describe() {
        return String.join(
                ", ",
                entries.stream()
                        .map(e ->
                                e.identity().keyId() + " " + e.identity().role().id()
                                        + (e.identity().grants().isEmpty()
                                                ? ""
                                                : " " + e.identity().grants()))
                        .toList());
    }

    /** The configured hashes, to check at start that none is also a tenant's key. */
    List<String> hashes() {
        return entries.stream().map(Entry::sha256).toList();
    }
}
