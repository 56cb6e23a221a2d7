package dev.warden.gateway.settings;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code warden.config.*}: how the gateway treats its own configuration. Read by {@link UnknownSettingsCheck}
 * before any bean exists; bound here as well so that it is a documented setting like any other.
 *
 * @param allowUnknownKeys start although a {@code warden.*} key is bound nowhere, logging a warning per key
 *     instead of failing (for the length of an upgrade that renames settings)
 */
@ConfigurationProperties("warden.config")
public record SettingsCheckProperties(boolean allowUnknownKeys) {

    static final String ALLOW_UNKNOWN_KEYS = "warden.config.allow-unknown-keys";
}
