package dev.warden.gateway.settings;

import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Spring Boot's "APPLICATION FAILED TO START" report for {@link UnknownSettingsException}: every unknown key on a
 * line of its own, then what to do. Registered in META-INF/spring.factories.
 */
public final class UnknownSettingsFailureAnalyzer extends AbstractFailureAnalyzer<UnknownSettingsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnknownSettingsException cause) {
        String keys = cause.settings().stream().map(s -> "    " + s.describe()).collect(Collectors.joining("\n"));
        String description = "Warden does not know these settings, so they would change nothing (a misspelt"
                + " setting leaves its default in force):\n" + keys;
        String action = "Correct or remove each setting (docs/CONFIGURATION.md lists them all). To start anyway"
                + " while upgrading, set warden.config.allow-unknown-keys=true: each unknown setting is then"
                + " logged as a warning.";
        return new FailureAnalysis(description, action, cause);
    }
}
