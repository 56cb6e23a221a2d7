package dev.warden.gateway.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * The admin API and the console, under {@code warden.admin}. Only hashes are configured, so a leaked config file
 * does not leak a key; make keys with {@link CreateAdminKeyCommand}.
 *
 * @param keySha256 lower-case hex SHA-256 of an admin key ({@code WARDEN_ADMIN_KEYSHA256} in the environment),
 *                  role {@code admin}; kept from before roles existed
 * @param keys      more keys, each with its {@code sha256}, its {@code role} ({@code admin} or {@code auditor}) and
 *                  its {@code grants} ({@code content-read}); with neither this nor {@code keySha256}, the admin
 *                  API and the console are off and answer 404
 */
@ConfigurationProperties("warden.admin")
public record AdminProperties(String keySha256, List<Key> keys) {

    /** Grants a key may carry; anything else is refused at start, so that a typo does not silently grant nothing. */
    static final Set<String> GRANTS = Set.of(AdminIdentity.CONTENT_READ);

    /**
     * One configured key: its hash, its role ({@code admin} or {@code auditor}), its grants. A missing or malformed
     * hash or an unknown grant is refused at start, so that a typo does not silently open or close anything.
     */
    public record Key(String sha256, AdminRole role, List<String> grants) {
        public Key {
            sha256 = hash(sha256, "warden.admin.keys[].sha256", false);
            if (role == null) {
                throw new IllegalArgumentException("warden.admin.keys[].role is missing; it is 'admin' or 'auditor'");
            }
            List<String> checked = new ArrayList<>();
            for (String g : grants == null ? List.<String>of() : grants) {
                String grant = g == null ? "" : g.trim().toLowerCase(Locale.ROOT);
                if (!GRANTS.contains(grant)) {
                    throw new IllegalArgumentException("warden.admin.keys[].grants: unknown grant '" + g
                            + "'; grants are " + String.join(", ", GRANTS));
                }
                checked.add(grant);
            }
            grants = List.copyOf(checked);
        }
    }

    public AdminProperties(String keySha256) {
        this(keySha256, List.of());
    }

    @ConstructorBinding
    public AdminProperties {
        keySha256 = hash(keySha256, "warden.admin.key-sha256", true);
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    private static String hash(String value, String where, boolean optional) {
        if (value == null || value.isBlank()) {
            if (optional) {
                return null;
            }
            throw new IllegalArgumentException(
                    where + " is missing: the SHA-256 that " + CreateAdminKeyCommand.class.getName() + " prints");
        }
        String hex = value.trim().toLowerCase(Locale.ROOT);
        // Failing at start-up beats an admin API that silently refuses every key.
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(where + " must be the 64 hex digits of a SHA-256 hash (the clear key "
                    + "never goes in the configuration); create a key and its hash with "
                    + CreateAdminKeyCommand.class.getName());
        }
        return hex;
    }

    public boolean enabled() {
        return keySha256 != null || !keys.isEmpty();
    }
}
