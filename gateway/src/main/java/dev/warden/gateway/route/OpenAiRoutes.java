package dev.warden.gateway.route;

import dev.warden.gateway.WardenProperties;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.guard.EmbeddedClassifierSource;
import dev.warden.gateway.moderation.ModerationHandler;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.guard.Calibrated;
import dev.warden.guard.OperatingPoint;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the {@code /v1} routes' stages share. The routes themselves, with their stages, are declared under
 * {@code spring.cloud.gateway.server.webflux.routes} in {@code application.yaml} (docs/ARCHITECTURE.md).
 */
@Configuration(proxyBeanMethods = false)
public class OpenAiRoutes {

    @Bean
    RequestBodies requestBodies(WardenProperties properties) {
        return new RequestBodies(properties.maxBodySize().toBytes());
    }

    @Bean
    ModerationHandler moderationHandler(
            Guards guards, RequestBodies bodies, AuditTrail audit, ObjectProvider<EmbeddedClassifierSource> embedded) {
        Map<String, OperatingPoint> points = new HashMap<>();
        embedded.orderedStream()
                .flatMap(s -> s.classifiers().stream())
                .filter(c -> c instanceof Calibrated)
                .forEach(c -> points.putAll(((Calibrated) c).operatingPoints()));
        return new ModerationHandler(guards, bodies, audit, points);
    }
}
