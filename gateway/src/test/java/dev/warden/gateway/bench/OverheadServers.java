package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the fast upstream, the bare forwarder and a gateway, prints their ports and the key, and waits. */
public final class OverheadServers {
    public static void main(String[] args) throws Exception {
        ScriptedOpenAiServer upstream = ScriptedOpenAiServer.startFast();
        TestTenants tenants = TestTenants.create();
        BareForwarder bare = new BareForwarder(upstream.baseUrl());
        String config = System.getProperty("bench.config", "proxy");
        ConfigurableApplicationContext gateway = GatewayOverheadBenchmark.start(upstream, tenants, config, false, List.of());
        System.out.println("upstream=" + upstream.port() + " bare=" + bare.port() + " gateway="
                + gateway.getEnvironment().getProperty("local.server.port") + " key=" + tenants.localKey);
        Thread.sleep(Long.MAX_VALUE);
    }
}
