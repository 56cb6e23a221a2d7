package dev.warden.gateway.guard;

import dev.warden.guard.embedded.EmbeddedClassifiers;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.embedded.SharedEncoder;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded default classifiers: the MiniLM encoder shipped in a Maven artifact and the project's trained
 * heads, so a fresh machine is guarded against prompt attacks and hazards without downloading anything (or an
 * encoder graph file and heads trained on it, {@link EncoderProperties#model()} and {@link EncoderProperties#heads()}). The
 * encoder (its queue, threads and cache: {@link EncoderProperties}) is a bean of its own, closed with the context,
 * measured in metrics and part of readiness.
 */
@Configuration(proxyBeanMethods = false)
public class EmbeddedGuardConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "warden.guard.embedded.enabled", havingValue = "true", matchIfMissing = true)
    SharedEncoder sharedEncoder(EncoderProperties properties, MeterRegistry metrics) {
        SentenceEncoder graph = properties.model() == null
                ? new SentenceEncoder(properties.threads())
                : SentenceEncoder.fromModelFile(properties.model(), properties.threads(), false);
        SharedEncoder encoder = new SharedEncoder(graph, properties.settings(), properties.cachedWindows());
        EncoderMetrics.bind(encoder, metrics);
        return encoder;
    }

    @Bean
    @ConditionalOnProperty(name = "warden.guard.embedded.enabled", havingValue = "true", matchIfMissing = true)
    EmbeddedClassifierSource embeddedClassifiers(SharedEncoder encoder, EncoderProperties properties) {
        // not closed here: the encoder bean is, after the classifiers that use it. Heads trained on another encoder
        // than the loaded one are a start-up error naming the head file (HeadFiles)
        EmbeddedClassifiers embedded = properties.heads() == null
                ? new EmbeddedClassifiers(encoder)
                : new EmbeddedClassifiers(encoder, properties.heads());
        return () -> List.of(embedded.promptAttack(), embedded.hazard());
    }

    /** Always present, so the readiness group can name it whether or not the embedded classifiers are on. */
    @Bean
    EncoderHealthIndicator encoderHealthIndicator(ObjectProvider<SharedEncoder> encoder, EncoderProperties properties) {
        return new EncoderHealthIndicator(encoder.getIfAvailable(), properties.saturationGrace());
    }
}
