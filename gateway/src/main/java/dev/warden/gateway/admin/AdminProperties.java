package dev.warden.gateway.admin;

import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The admin API, under {@code warden.admin}.
 *
 * @param keySha256 lower-case hex SHA-256 of the admin key ({@code WARDEN_ADMIN_KEYSHA256} in the environment);
 *                  absent: the admin API is off and {@code /admin/**} answers 404. Make one with
 *                  {@link CreateAdminKeyCommand}. Only the hash is configured, so a leaked config file does not
 *                  leak the key.
 */
@ConfigurationProperties("warden.admin")
public record AdminProperties(String keySha256) {

    public AdminProperties {
        if (keySha256 != null && keySha256.isBlank()) {
            keySha256 = null;
        }
        if (keySha256 != null) {
            keySha256 = keySha256.trim().toLowerCase(Locale.ROOT);
            // Failing at start-up beats an admin API that silently refuses every key.
            if (!keySha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("warden.admin.key-sha256 must be the 64 hex digits of a SHA-256 "
                        + "hash (the clear key never goes in the configuration); create a key and its hash with "
                        + CreateAdminKeyCommand.class.getName());
            }
        }
    }

    public boolean enabled() {
        return keySha256 != null;
    }
}
