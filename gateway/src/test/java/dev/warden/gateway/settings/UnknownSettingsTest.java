package dev.warden.gateway.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * A {@code warden.*} key that nothing binds stops the start ({@link UnknownSettingsCheck}). Each test runs a real
 * {@code SpringApplication}, with the listener and the failure analyzer registered by the gateway's
 * META-INF/spring.factories and the gateway's built-in application.yaml on the class path, as the gateway starts;
 * the context itself is empty, so that only the start-up check is under test.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownSettingsTest {

    @Configuration(proxyBeanMethods = false)
    static class Empty {}

    @TempDir
    Path dir;

    private static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(Empty.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF);
    }

    /** A YAML file imported as config/application.yaml is: Boot tracks its keys' file and line. */
    private String configFile(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("application.yaml"), yaml);
        return "--spring.config.import=file:" + file;
    }

    @Test
    void aMisspeltKeyInAConfigFileStopsTheStartNamingKeyFileLineAndTheSettingMeant(CapturedOutput output)
            throws IOException {
        String config = configFile("""
                warden:
                  guard:
                    promt-guard:
                      dir: models/prompt-guard
                    embeded:
                      enabled: false
                """);
        assertThatThrownBy(() -> application().run(config))
                .isInstanceOf(UnknownSettingsException.class)
                .extracting(e -> ((UnknownSettingsException) e).settings(), InstanceOfAssertFactories.LIST)
                .containsExactly(
                        new UnknownSetting(
                                "warden.guard.embeded.enabled",
                                "URL [file:" + dir.resolve("application.yaml") + "] - 6:16",
                                Optional.of("warden.guard.embedded.enabled")),
                        new UnknownSetting(
                                "warden.guard.promt-guard.dir",
                                "URL [file:" + dir.resolve("application.yaml") + "] - 4:12",
                                Optional.of("warden.guard.prompt-guard.dir")));
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("warden.guard.promt-guard.dir (URL [file:")
                .contains("application.yaml] - 4:12): did you mean warden.guard.prompt-guard.dir?")
                .contains("did you mean warden.guard.embedded.enabled?")
                .contains("warden.config.allow-unknown-keys=true");
    }

    @Test
    void everyUnknownKeyOfEverySourceIsInOneReport() throws IOException {
        String config = configFile("warden:\n  max-body-sise: 8MB\n");
        assertThatThrownBy(() -> application()
                        .run(config, "--warden.models[3].llama-cpp.guff=x.gguf", "--warden.quite-unlike-anything=1"))
                .isInstanceOf(UnknownSettingsException.class)
                .extracting(e -> ((UnknownSettingsException) e).settings(), InstanceOfAssertFactories.LIST)
                .containsExactly(
                        new UnknownSetting(
                                "warden.models[3].llama-cpp.guff",
                                "command line",
                                Optional.of("warden.models[3].llama-cpp.gguf")),
                        new UnknownSetting("warden.quite-unlike-anything", "command line", Optional.empty()),
                        new UnknownSetting(
                                "warden.max-body-sise",
                                "URL [file:" + dir.resolve("application.yaml") + "] - 2:18",
                                Optional.of("warden.max-body-size")));
    }

    @Test
    void springApplicationJsonIsChecked() {
        assertThatThrownBy(() -> application()
                        .properties(Map.of("spring.application.json", "{\"warden\":{\"tracing\":{\"enabeld\":true}}}"))
                        .run())
                .isInstanceOf(UnknownSettingsException.class)
                .hasMessageContaining("warden.tracing.enabeld")
                .hasMessageContaining("did you mean warden.tracing.enabled?");
    }

    @Test
    void theShippedConfigurationStartsAndIsChecked() {
        // what the README's run command reads: the built-in application.yaml and config/application.yaml
        try (ConfigurableApplicationContext context =
                application().run("--spring.config.import=file:../config/application.yaml")) {
            assertThat(context.getEnvironment().getProperty("warden.models[0].llama-cpp.gguf"))
                    .isEqualTo("models/Llama-3.1-8B-Instruct-Q4_K_M.gguf");
            assertThat(context.getEnvironment().getProperty("warden.server.header-timeout"))
                    .isEqualTo("10s");
        }
    }

    @Test
    void listElementsRelaxedSpellingsAndEmptyBlocksAreAccepted() throws IOException {
        String config = configFile("""
                warden:
                  models:
                    - name: a
                      remote:
                        urls: [http://vllm-0:8000, http://vllm-1:8000]
                        breaker:
                          wait-in-open: 30s
                  admin:
                    keys:
                      - sha256: "00"
                        grants: [content-read]
                  guard:
                    promptGuard:
                      dir: models/prompt-guard
                  siem: {}
                """);
        try (ConfigurableApplicationContext context =
                application().run(config, "--warden.models[1].llama-cpp.slots=2")) {
            assertThat(context.getEnvironment().getProperty("warden.admin.keys[0].grants[0]"))
                    .isEqualTo("content-read");
        }
    }

    @Test
    void keysUnderAMapSettingAreTheOperatorsOwn() throws IOException {
        // No gateway setting is a Map today: add one through metadata of the kind the configuration processor
        // writes, on a class loader the application loads its classes and resources from.
        Path metaInf = Files.createDirectories(dir.resolve("classes/META-INF"));
        Files.writeString(metaInf.resolve("spring-configuration-metadata.json"), """
                {"groups": [], "properties": [
                  {"name": "warden.labels", "type": "java.util.Map<java.lang.String,java.lang.String>"}
                ]}
                """);
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {dir.resolve("classes").toUri().toURL()}, getClass().getClassLoader())) {
            SpringApplicationBuilder withLabels = application().resourceLoader(new DefaultResourceLoader(loader));
            try (ConfigurableApplicationContext context =
                    withLabels.run("--warden.labels.team=search", "--warden.labels[cost.centre]=42")) {
                assertThat(context.getEnvironment().getProperty("warden.labels.team"))
                        .isEqualTo("search");
            }
            assertThatThrownBy(() -> application()
                            .resourceLoader(new DefaultResourceLoader(loader))
                            .run("--warden.lables.team=search"))
                    .isInstanceOf(UnknownSettingsException.class)
                    .hasMessageContaining("warden.lables.team (command line)");
        }
    }

    @Test
    void theEscapeHatchStartsAndLogsEachUnknownKey(CapturedOutput output) {
        try (ConfigurableApplicationContext context = application()
                .run(
                        "--warden.config.allow-unknown-keys=true",
                        "--warden.guard.promt-guard.dir=models/prompt-guard",
                        "--warden.quite-unlike-anything=1")) {
            assertThat(context.isActive()).isTrue();
        }
        List<String> warnings = output.getOut()
                .lines()
                .filter(l -> l.contains("Unknown setting"))
                .toList();
        assertThat(warnings).hasSize(2).allSatisfy(l -> assertThat(l).contains("WARN"));
        assertThat(warnings.get(0))
                .contains("warden.guard.promt-guard.dir (command line): did you mean warden.guard.prompt-guard.dir?");
        assertThat(warnings.get(1))
                .contains("warden.quite-unlike-anything (command line)")
                .doesNotContain("did you mean");
    }

    @Test
    void environmentVariablesAreNotChecked() {
        // they hold the whole process's settings and do not name one key unambiguously (docs/CONFIGURATION.md)
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .replace(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of("WARDEN_GUARD_PROMTGUARD_DIR", "models/prompt-guard", "warden.misspelt", "x")));
        try (ConfigurableApplicationContext context =
                application().environment(environment).run()) {
            assertThat(context.getEnvironment().getProperty("warden.misspelt")).isEqualTo("x");
        }
    }
}
