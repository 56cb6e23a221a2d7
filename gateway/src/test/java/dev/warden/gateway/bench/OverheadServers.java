package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The overhead benchmark's three servers for an external load generator or profiler: starts the fast upstream, the
 * bare forwarder and a gateway ({@code -Dbench.config=proxy} by default), prints their ports and an API key, and
 * waits. For example, with wrk (Debian package {@code wrk}) and a Lua script that POSTs the chat body:
 * {@code wrk -t1 -c8 -d60s --latency -s post.lua http://127.0.0.1:<gateway port>}; send a minute of traffic
 * first, since the JIT needs that long on 2 cores.
 */
public final class OverheadServers {
    public static void main(String[] args) throws Exception {
        ScriptedOpenAiServer upstream = ScriptedOpenAiServer.startFast();
        TestTenants tenants = TestTenants.create();
        BareForwarder bare = BareForwarder.whole(upstream.baseUrl());
        String config = System.getProperty("bench.config", "proxy");
        ConfigurableApplicationContext gateway =
                GatewayOverheadBenchmark.start(upstream, tenants, config, false, List.of());
        System.out.println("upstream=" + upstream.port() + " bare=" + bare.port() + " gateway="
                + gateway.getEnvironment().getProperty("local.server.port") + " key="
                + (config.startsWith("limits") ? tenants.generousKey : tenants.localKey));
        Thread.currentThread().join(); // serve until the process is killed
    }
}
