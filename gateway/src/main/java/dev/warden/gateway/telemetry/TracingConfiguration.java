package dev.warden.gateway.telemetry;

import dev.warden.policy.audit.FingerprintKey;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces by Micrometer Tracing over the OpenTelemetry SDK, exported by OTLP/HTTP to {@code warden.tracing.endpoint},
 * only with {@code warden.tracing.enabled=true}. Wired here rather than by Spring Boot's tracing auto-configuration,
 * so that nothing about tracing exists (no exporter thread, no connection attempts) while it is off. Further
 * {@link SpanExporter} beans get every span too.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "warden.tracing.enabled", havingValue = "true")
public class TracingConfiguration {

    @Bean(destroyMethod = "close")
    SdkTracerProvider wardenTracerProvider(TracingProperties properties, ObjectProvider<SpanExporter> exporters) {
        SdkTracerProviderBuilder builder = SdkTracerProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(
                                Attributes.of(AttributeKey.stringKey("service.name"), "warden-gateway"))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(properties.samplingProbability())))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                .setEndpoint(properties.endpoint())
                                .build())
                        .build());
        exporters.orderedStream().forEach(exporter -> builder.addSpanProcessor(SimpleSpanProcessor.create(exporter)));
        return builder.build();
    }

    @Bean
    CallTracer callTracer(SdkTracerProvider provider, FingerprintKey fingerprints) {
        io.opentelemetry.api.trace.Tracer otel = provider.get("dev.warden.gateway");
        Tracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
        OtelPropagator propagator =
                new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
        return new CallTracer(tracer, propagator, fingerprints);
    }
}
