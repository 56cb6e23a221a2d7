package dev.warden.gateway.settings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Stops the start when a {@code warden.*} key is configured that the gateway binds nowhere. Spring Boot ignores
 * such keys, and in a guardrail a misspelt setting is a hole: {@code warden.guard.promt-guard.dir} leaves Prompt
 * Guard off, {@code warden.guard.embeded.enabled: false} leaves the embedded classifiers on, and nothing says so.
 *
 * <p>Checked: every source whose keys are what the operator wrote, i.e. the configuration files (the built-in
 * application.yaml, config/application.yaml, spring.config.location), {@code --warden.x=y} arguments,
 * SPRING_APPLICATION_JSON, and the properties tests set. Not checked: environment variables and system properties,
 * which hold the whole process's settings, not only Warden's, and whose names do not map back to one key
 * ({@code WARDEN_GUARD_PROMPTGUARD_DIR}).
 *
 * <p>Runs on {@link ApplicationPreparedEvent} (registered in META-INF/spring.factories): all property sources are in
 * place by then, including those added by context initializers, and no bean has read a setting yet. The failure is
 * reported by {@link UnknownSettingsFailureAnalyzer}, every unknown key at once; {@code
 * warden.config.allow-unknown-keys=true} makes each a warning instead.
 */
public final class UnknownSettingsCheck implements ApplicationListener<ApplicationPreparedEvent> {

    private static final Logger log = LoggerFactory.getLogger(UnknownSettingsCheck.class);
    private static final String PREFIX = "warden.";

    @Override
    public void onApplicationEvent(ApplicationPreparedEvent event) {
        ConfigurableEnvironment environment = event.getApplicationContext().getEnvironment();
        BoundSettings bound = BoundSettings.read(event.getApplicationContext().getClassLoader());
        List<UnknownSetting> unknown = unknown(environment, bound);
        if (unknown.isEmpty()) {
            return;
        }
        boolean allowed = Binder.get(environment)
                .bind(SettingsCheckProperties.ALLOW_UNKNOWN_KEYS, Boolean.class)
                .orElse(false);
        if (!allowed) {
            throw new UnknownSettingsException(unknown);
        }
        for (UnknownSetting setting : unknown) {
            log.warn(
                    "Unknown setting, it changes nothing (started anyway as {}=true): {}",
                    SettingsCheckProperties.ALLOW_UNKNOWN_KEYS,
                    setting.describe());
        }
    }

    /** The unknown {@code warden.*} keys of the checked sources, in the environment's order of precedence. */
    static List<UnknownSetting> unknown(ConfigurableEnvironment environment, BoundSettings bound) {
        List<UnknownSetting> unknown = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!checked(source)) {
                continue;
            }
            EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
            String[] keys = enumerable.getPropertyNames().clone();
            Arrays.sort(keys);
            for (String key : keys) {
                if (key.startsWith(PREFIX)
                        && !bound.binds(key)
                        && !(bound.groups(key) && isEmpty(enumerable.getProperty(key)))) {
                    unknown.add(new UnknownSetting(key, where(source, key), bound.nearest(key)));
                }
            }
        }
        return unknown;
    }

    private static boolean checked(PropertySource<?> source) {
        return source instanceof EnumerablePropertySource
                && !(source instanceof SystemEnvironmentPropertySource)
                && !StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(source.getName());
    }

    private static boolean isEmpty(Object value) {
        return value == null || value.toString().isEmpty();
    }

    /** The file and line as Spring Boot's origin tracking reports them, else the property source's name. */
    private static String where(PropertySource<?> source, String key) {
        if (source instanceof CommandLinePropertySource) {
            return "command line";
        }
        Origin origin = OriginLookup.getOrigin(source, key);
        return origin != null ? origin.toString() : "property source '" + source.getName() + "'";
    }
}
