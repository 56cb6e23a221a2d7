package dev.warden.gateway.settings;

import java.util.List;
import java.util.stream.Collectors;

/** The start stops: {@code warden.*} keys were configured that the gateway does not bind. */
public final class UnknownSettingsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // a list of records; never serialized in practice
    private final List<UnknownSetting> settings;

    UnknownSettingsException(List<UnknownSetting> settings) {
        super(settings.stream()
                .map(UnknownSetting::describe)
                .collect(Collectors.joining("; ", "unknown warden.* settings: ", "")));
        this.settings = List.copyOf(settings);
    }

    public List<UnknownSetting> settings() {
        return settings;
    }
}
