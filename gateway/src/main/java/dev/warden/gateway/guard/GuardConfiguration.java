package dev.warden.gateway.guard;

import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.guard.Classifier;
import dev.warden.guard.code.CodeSecurityClassifier;
import dev.warden.guard.code.InsecureCodeRules;
import dev.warden.guard.llamaguard.LlamaGuardCategories;
import dev.warden.guard.llamaguard.LlamaGuardClassifier;
import dev.warden.guard.llamaguard.LlamaGuardConfig;
import dev.warden.guard.llamaguard.LlamaGuardVariant;
import dev.warden.guard.pipeline.GuardPipeline;
import dev.warden.guard.pipeline.VerdictCache;
import dev.warden.guard.promptguard.PromptGuardClassifier;
import dev.warden.guard.promptguard.PromptGuardConfig;
import dev.warden.guard.rules.ContentRules;
import dev.warden.guard.rules.ContentRulesClassifier;
import dev.warden.guard.rules.Redactor;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.llamacpp.LlamaCppEngine;
import dev.warden.inference.llamacpp.LlamaCppSettings;
import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the classifiers named in {@link GuardProperties} and the one {@link GuardPipeline} that runs them in both
 * directions (each stage judges only the directions its classifier declares).
 */
@Configuration(proxyBeanMethods = false)
public class GuardConfiguration {

    private static final Logger log = LoggerFactory.getLogger(GuardConfiguration.class);

    /** Classifiers by name, closed with the application context. */
    public record GuardClassifiers(List<Classifier> all, List<AutoCloseable> owned) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            for (AutoCloseable c : owned) {
                c.close();
            }
        }
    }

    @Bean
    ContentRules contentRules() {
        return new ContentRules();
    }

    @Bean(destroyMethod = "close")
    GuardClassifiers guardClassifiers(
            GuardProperties properties,
            ContentRules rules,
            ModelCatalog models,
            org.springframework.beans.factory.ObjectProvider<EmbeddedClassifierSource> embedded) {
        List<Classifier> classifiers = new ArrayList<>();
        List<AutoCloseable> owned = new ArrayList<>();
        if (properties.rules().on()) {
            classifiers.add(new ContentRulesClassifier(rules));
        }
        GuardProperties.CodeSecurity code = properties.codeSecurity();
        if (code.on()) {
            classifiers.add(new CodeSecurityClassifier(
                    code.rulesFile() == null ? InsecureCodeRules.builtIn() : InsecureCodeRules.from(code.rulesFile())));
        }
        if (properties.embedded().on()) {
            for (EmbeddedClassifierSource source : embedded.orderedStream().toList()) {
                classifiers.addAll(source.classifiers());
            }
        }
        GuardProperties.PromptGuard pg = properties.promptGuard();
        if (pg.dir() != null) {
            if (!Files.isDirectory(pg.dir())) {
                throw new IllegalStateException(
                        "warden.guard.prompt-guard.dir " + pg.dir().toAbsolutePath()
                                + " is not a folder; put the ONNX export of Prompt Guard there (model.onnx, tokenizer.json, "
                                + "config.json) or remove the setting");
            }
            try {
                PromptGuardConfig config = PromptGuardConfig.of(pg.dir());
                if (pg.temperature() != null) {
                    config = config.withTemperature(pg.temperature());
                }
                PromptGuardClassifier promptGuard = new PromptGuardClassifier(config);
                classifiers.add(promptGuard);
                owned.add(promptGuard);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load Prompt Guard from " + pg.dir(), e);
            }
        }
        GuardProperties.LlamaGuard lg = properties.llamaGuard();
        if (lg.model() != null || lg.gguf() != null) {
            LlamaGuardVariant variant = lg.categorySet();
            InferenceEngine engine;
            String modelName;
            if (lg.model() != null) {
                engine = models.require(lg.model()).engine();
                modelName = lg.model();
            } else {
                if (!Files.isRegularFile(lg.gguf())) {
                    throw new IllegalStateException(
                            "warden.guard.llama-guard.gguf " + lg.gguf().toAbsolutePath()
                                    + " does not exist; put Llama-Guard-3-8B (or 1B) in GGUF form there or remove it");
                }
                LlamaCppEngine inProcess = new LlamaCppEngine(
                        new LlamaCppSettings(lg.gguf(), lg.slots() == null ? 1 : lg.slots(), 16, 0, 0, 20));
                owned.add(inProcess);
                engine = inProcess;
                modelName = lg.gguf().getFileName().toString();
            }
            classifiers.add(new LlamaGuardClassifier(
                    engine, LlamaGuardConfig.of(modelName, modelName, LlamaGuardCategories.standard(variant))));
        }
        log.info(
                "guard classifiers: {}",
                classifiers.stream().map(Classifier::name).toList());
        return new GuardClassifiers(List.copyOf(classifiers), owned);
    }

    @Bean
    Guards guards(
            GuardClassifiers classifiers,
            GuardProperties properties,
            TenantDirectory tenants,
            ContentRules rules,
            MeterRegistry metrics) {
        VerdictCache cache =
                properties.cacheSize() > 0 ? new VerdictCache(properties.cacheSize(), properties.cacheTtl()) : null;
        GuardPipeline.Builder pipeline = GuardPipeline.builder();
        for (Classifier c : classifiers.all()) {
            pipeline.stage(c, deadline(c, properties));
        }
        if (cache != null) {
            pipeline.cache(cache);
        }
        GuardPipeline built = pipeline.build();
        return new Guards(built, cache, tenants, new Redactor(rules), metrics);
    }

    private static Duration deadline(Classifier c, GuardProperties p) {
        return switch (c.name()) {
            case "prompt-guard" ->
                p.promptGuard().deadline() == null
                        ? Duration.ofMillis(500)
                        : p.promptGuard().deadline();
            case "llama-guard" ->
                p.llamaGuard().deadline() == null
                        ? Duration.ofSeconds(10)
                        : p.llamaGuard().deadline();
            case "content-rules" -> p.rules().deadlineOr(Duration.ofMillis(200));
            // Regular expressions over a whole reply: cheap, but a long reply on a busy CPU needs more than the
            // PII rules' 200 ms, and a timeout on a fail-closed tenant withholds the reply.
            case CodeSecurityClassifier.NAME ->
                p.codeSecurity().deadline() == null
                        ? Duration.ofMillis(500)
                        : p.codeSecurity().deadline();
            default -> p.embedded().deadlineOr(Duration.ofMillis(500));
        };
    }
}
