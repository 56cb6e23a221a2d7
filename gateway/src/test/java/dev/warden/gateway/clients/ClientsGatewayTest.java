package dev.warden.gateway.clients;

import dev.warden.gateway.GatewayTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway the client suites talk to: the shared test gateway plus a remote embeddings model and a chat model
 * behind an Ollama server (whose request fields are narrowed), all on the scripted upstream. One Spring context
 * for every class that extends this.
 */
public abstract class ClientsGatewayTest extends GatewayTest {

    protected static final String EMBED_MODEL = "test-embed";
    protected static final String OLLAMA_MODEL = "ollama-model";

    @DynamicPropertySource
    static void clientModels(DynamicPropertyRegistry registry) {
        // A second application context: its audit log gets its own store (two writers with one instance id on
        // one store fork its hash chain, and the second one's records go to the spill file).
        registry.add(
                "warden.audit.store",
                () -> TENANTS.dir.resolve("clients-audit.db").toString());
        registry.add(
                "warden.audit.spill-file",
                () -> TENANTS.dir.resolve("clients-spill.jsonl").toString());
        registry.add("warden.models[2].name", () -> EMBED_MODEL);
        registry.add("warden.models[2].engine", () -> "remote");
        registry.add("warden.models[2].licence", () -> "llama-3.1");
        registry.add("warden.models[2].remote.urls[0]", UPSTREAM::baseUrl);
        registry.add("warden.models[2].remote.upstream-model", () -> "upstream-embed");
        registry.add("warden.models[2].remote.embeddings", () -> "true");
        registry.add("warden.models[3].name", () -> OLLAMA_MODEL);
        registry.add("warden.models[3].engine", () -> "remote");
        registry.add("warden.models[3].licence", () -> "llama-3.1");
        registry.add("warden.models[3].remote.urls[0]", UPSTREAM::baseUrl);
        registry.add("warden.models[3].remote.server", () -> "ollama");
    }

    protected String v1() {
        return baseUrl() + "/v1";
    }
}
