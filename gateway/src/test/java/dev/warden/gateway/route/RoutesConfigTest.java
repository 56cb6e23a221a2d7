package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The routes the gateway ships with ({@code application.yaml}): every {@code /v1} endpoint authenticates, is
 * audited and rate limited, in that order, and a route that generates text judges it first.
 */
class RoutesConfigTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> routes() throws Exception {
        try (InputStream in = RoutesConfigTest.class.getResourceAsStream("/application.yaml")) {
            Map<String, Object> root = new Yaml().load(in);
            Map<String, Object> node = root;
            for (String key : List.of("spring", "cloud", "gateway", "server", "webflux")) {
                node = (Map<String, Object>) node.get(key);
            }
            return (List<Map<String, Object>>) node.get("routes");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> stages(Map<String, Object> route) {
        return ((List<String>) route.get("filters"))
                .stream().map(f -> f.split("=")[0]).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyEndpointRouteAuthenticatesAuditsAndLimitsInThatOrder() throws Exception {
        List<Map<String, Object>> routes = routes();
        assertThat(routes)
                .extracting(r -> r.get("id"))
                .containsExactly(
                        "chat-completions",
                        "completions",
                        "moderations",
                        "run-shield",
                        "responses",
                        "stored-responses",
                        "embeddings",
                        "models",
                        "files-and-batches",
                        "v1-unknown");
        for (Map<String, Object> route : routes) {
            List<String> stages = stages(route);
            assertThat(stages.get(0)).as("%s", route.get("id")).isEqualTo("Authenticate");
            if (route.get("id").equals("v1-unknown")) {
                assertThat(stages).containsExactly("Authenticate", "UnknownEndpoint");
                continue;
            }
            if (route.get("id").equals("files-and-batches")) {
                // Managing files and batches is limited by its own budget; each batch line then runs the
                // generation stages (Audit and RateLimit included) by itself.
                assertThat((List<String>) route.get("filters")).contains("RateLimit=files-and-batches");
            }
            assertThat(stages).as("%s", route.get("id")).contains("Audit", "RateLimit");
            assertThat(stages.indexOf("Audit")).isLessThan(stages.indexOf("RateLimit"));
        }
    }

    @Test
    void generationRoutesJudgeInputAndOutputBeforeTheEngine() throws Exception {
        for (Map<String, Object> route : routes()) {
            List<String> stages = stages(route);
            if (stages.contains("Generate")) {
                assertThat(stages)
                        .as("%s", route.get("id"))
                        .containsSubsequence(
                                "Licence", "InputBudget", "RateLimit", "InputGuard", "OutputGuard", "Generate");
                assertThat(stages.get(stages.size() - 1)).isEqualTo("Generate");
            }
        }
    }
}
