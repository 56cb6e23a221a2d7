package dev.warden.gateway.embeddings;

import dev.warden.inference.remote.RemoteEngine;
import java.util.List;
import org.springframework.web.server.ServerWebExchange;
import tools.jackson.databind.node.ObjectNode;

/**
 * An embeddings request as read by {@code ReadEmbeddings}, for {@code Embed}: the texts, whether they came as one
 * string, the other forwarded fields, and the engine of the model.
 */
record EmbeddingsCall(String model, List<String> inputs, boolean single, ObjectNode forwarded, RemoteEngine engine) {

    private static final String ATTRIBUTE = EmbeddingsCall.class.getName();

    void attach(ServerWebExchange exchange) {
        exchange.getAttributes().put(ATTRIBUTE, this);
    }

    static EmbeddingsCall of(ServerWebExchange exchange) {
        EmbeddingsCall call = exchange.getAttribute(ATTRIBUTE);
        if (call == null) {
            throw new IllegalStateException("no embeddings request (a route needs ReadEmbeddings before Embed)");
        }
        return call;
    }
}
