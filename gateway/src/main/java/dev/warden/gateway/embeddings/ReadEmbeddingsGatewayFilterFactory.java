package dev.warden.gateway.embeddings;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.route.InputGuardGatewayFilterFactory;
import dev.warden.inference.remote.RemoteEngine;
import java.util.ArrayList;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stage {@code ReadEmbeddings}: reads an OpenAI embeddings request, for a remote model that declares it serves
 * embeddings ({@code warden.models[*].remote.embeddings: true}); opens its audit record and its token estimate.
 * Inputs are text (a string or an array of strings): token ids are refused, since no guard can judge them.
 */
@Component
public class ReadEmbeddingsGatewayFilterFactory
        extends AbstractGatewayFilterFactory<ReadEmbeddingsGatewayFilterFactory.Config> {

    /** OpenAI's own limit on inputs per request. */
    static final int MAX_INPUTS = 2048;

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final RequestBodies bodies;
    private final ModelCatalog catalog;
    private final ModelFeatures features;

    public ReadEmbeddingsGatewayFilterFactory(RequestBodies bodies, ModelCatalog catalog, ModelFeatures features) {
        super(Config.class);
        this.bodies = bodies;
        this.catalog = catalog;
        this.features = features;
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return (exchange, chain) -> Mono.fromRunnable(() -> exchange.getResponse()
                        .getHeaders()
                        .set(InputGuardGatewayFilterFactory.DECISION_HEADER, InputGuardGatewayFilterFactory.NOT_JUDGED))
                .then(bodies.json(exchange))
                .flatMap(bytes -> {
                    ObjectNode body = parse(bytes);
                    String name = string(body, "model");
                    ServedModel model = catalog.require(name);
                    if (!features.of(name).embeddings() || !(model.engine() instanceof RemoteEngine engine)) {
                        throw ApiErrors.modelNotEmbedding("The model '" + name + "' does not serve "
                                + "embeddings on this gateway; a remote model does when configured with "
                                + "remote.embeddings: true");
                    }
                    boolean single =
                            body.get("input") != null && body.get("input").isString();
                    List<String> inputs = inputs(body.get("input"));
                    ObjectNode forwarded = JSON.createObjectNode();
                    for (String field : new String[] {"encoding_format", "dimensions"}) {
                        JsonNode v = body.get(field);
                        if (v != null && !v.isNull()) {
                            forwarded.set(field, v.deepCopy());
                        }
                    }
                    RequestState state = RequestState.of(exchange);
                    CallRecord record = new CallRecord(state.requestId(), state.principal())
                            .clientRequestId(state.clientRequestId())
                            .model(name)
                            .purpose("embeddings")
                            .prompt(String.join("\n", inputs));
                    state.metered(record, name, GenerationCall.estimatedTokens(inputs));
                    new EmbeddingsCall(name, inputs, single, forwarded, engine).attach(exchange);
                    return chain.filter(exchange);
                });
    }

    private static ObjectNode parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw ApiErrors.invalidRequest("the request body is empty; send a JSON object", null);
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JacksonException e) {
            throw ApiErrors.invalidJson(e);
        }
        throw ApiErrors.invalidRequest("the request body must be a JSON object", null);
    }

    private static String string(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiErrors.missingParameter(field);
        }
        if (!v.isString()) {
            throw ApiErrors.wrongType(field, "a string");
        }
        return v.stringValue();
    }

    /** A string or an array of strings; token ids are refused, since no guard can judge them. */
    static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiErrors.missingParameter("input");
        }
        if (input.isString()) {
            return List.of(input.stringValue());
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiErrors.wrongType("input", "a string or a non-empty array of strings");
        }
        if (input.size() > MAX_INPUTS) {
            throw ApiErrors.invalidRequest("'input' holds at most " + MAX_INPUTS + " texts", "input");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode text = input.get(i);
            if (!text.isString()) {
                throw ApiErrors.invalidRequest(
                        "embedding inputs must be text: token ids cannot "
                                + "be judged by the gateway's guard; send the text",
                        "input[" + i + "]");
            }
            texts.add(text.stringValue());
        }
        return texts;
    }
}
