package dev.warden.gateway.guard;

import dev.warden.guard.embedded.EmbeddedClassifiers;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded default classifiers: the MiniLM encoder shipped in a Maven artifact and the project's trained
 * heads, so a fresh machine is guarded against prompt attacks and hazards without downloading anything.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "warden.guard.embedded.enabled", havingValue = "true", matchIfMissing = true)
public class EmbeddedGuardConfiguration {

    @Bean
    EmbeddedClassifierSource embeddedClassifiers() {
        EmbeddedClassifiers embedded = EmbeddedClassifiers.loadDefault();
        return () -> List.of(embedded.promptAttack(), embedded.hazard());
    }
}
