package dev.warden.gateway.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

/**
 * Two gateways in one JVM (the test context cache does this; so may an application that embeds the gateway):
 * closing one stops its own event loops only. The other keeps serving its remote model once the closed one's loops
 * are gone, i.e. after Reactor Netty's quiet period, which used to hide that both ran on the global loops.
 */
@Tag("slow")
class TwoGatewaysInOneJvmTest {

    private static final String CHAT =
            "{\"model\":\"remote-model\",\"messages\":[{\"role\":\"user\"," + "\"content\":\"Say something.\"}]}";

    @Test
    void closingOneGatewayLeavesTheOthersRemoteModelWorkingAfterTheQuietPeriod() {
        TestTenants tenants = TestTenants.create();
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start();
                ConfigurableApplicationContext kept = gateway(tenants, "kept", upstream)) {
            upstream.always(ScriptedReply.text("still here"));
            ConfigurableApplicationContext closed = gateway(tenants, "closed", upstream);
            EventLoopGroup closedLoops;
            try {
                assertThat(chat(closed, tenants).status()).isEqualTo(200);
                assertThat(chat(kept, tenants).status()).isEqualTo(200);
                closedLoops = closed.getBean(ReactorResourceFactory.class)
                        .getLoopResources()
                        .onServer(LoopResources.DEFAULT_NATIVE);
            } finally {
                closed.close();
            }

            await("the closed gateway's event loops ended (its quiet period is over)")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(closedLoops::isTerminated);
            HttpCalls.Reply after = chat(kept, tenants);

            assertThat(after.status()).as(after.body()).isEqualTo(200);
            assertThat(after.json()
                            .path("choices")
                            .path(0)
                            .path("message")
                            .path("content")
                            .asString())
                    .isEqualTo("still here");
        }
    }

    private static HttpCalls.Reply chat(ConfigurableApplicationContext gateway, TestTenants tenants) {
        String port = gateway.getEnvironment().getRequiredProperty("local.server.port");
        return new HttpCalls("http://127.0.0.1:" + port)
                .post("/v1/chat/completions", tenants.lenientKey, "application/json", CHAT);
    }

    private static ConfigurableApplicationContext gateway(
            TestTenants tenants, String name, ScriptedOpenAiServer upstream) {
        List<String> arguments = tenants.gatewayArguments(name, false);
        arguments.addAll(List.of(
                "--warden.audit.instance-id=" + name,
                "--warden.models[0].name=remote-model",
                "--warden.models[0].engine=remote",
                "--warden.models[0].licence=llama-3.1",
                "--warden.models[0].remote.urls[0]=" + upstream.baseUrl(),
                "--warden.models[0].remote.upstream-model=upstream-model"));
        return SpringApplication.run(WardenGateway.class, arguments.toArray(String[]::new));
    }
}
