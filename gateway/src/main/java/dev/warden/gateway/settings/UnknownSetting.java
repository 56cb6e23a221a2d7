package dev.warden.gateway.settings;

import java.util.Optional;

/**
 * A {@code warden.*} key that nothing binds, where it was written, and the bound setting it most likely means.
 *
 * @param key as the property source names it
 * @param source where it was written: a file and line as Spring Boot reports them, or the command line
 * @param suggestion the nearest bound setting, when one is a few edits away
 */
public record UnknownSetting(String key, String source, Optional<String> suggestion) {

    /** {@code warden.guard.promt-guard.dir (URL [file:config/application.yaml] - 7:12): did you mean ...?} */
    public String describe() {
        return key + " (" + source + ")"
                + suggestion.map(s -> ": did you mean " + s + "?").orElse("");
    }
}
