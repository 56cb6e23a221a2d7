package dev.warden.gateway.route;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.JsonBody;
import dev.warden.policy.audit.Outcome;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stage {@code ListModels}, the last of the models route: {@code GET /v1/models} lists the served models,
 * {@code GET /v1/models/{model}} describes one (404 when there is no such model), in OpenAI's shape with this
 * gateway's extra fields (engine, context length, licence, readiness). The answer leaves after its record.
 */
@Component
public class ListModelsGatewayFilterFactory extends StageFactory {

    private final ModelCatalog catalog;
    private final AuditTrail audit;
    private final ResponseWriter writer;

    public ListModelsGatewayFilterFactory(ModelCatalog catalog, AuditTrail audit, ResponseWriter writer) {
        this.catalog = catalog;
        this.audit = audit;
        this.writer = writer;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            String name =
                    ServerWebExchangeUtils.getUriTemplateVariables(exchange).get("model");
            ObjectNode body;
            if (name == null) {
                body = JsonBody.JSON.createObjectNode();
                body.put("object", "list");
                ArrayNode data = body.putArray("data");
                for (ServedModel m : catalog.all()) {
                    data.add(model(m));
                }
            } else {
                ServedModel found = catalog.all().stream()
                        .filter(m -> m.name().equals(name))
                        .findFirst()
                        .orElse(null);
                if (found == null) {
                    return Mono.error(
                            ApiErrors.modelNotFound("The model '" + name + "' does not exist on this gateway"));
                }
                body = model(found);
            }
            byte[] bytes = JsonBody.JSON.writeValueAsBytes(body);
            return writer.write(
                    exchange,
                    audit.record(RequestState.of(exchange).record(), Outcome.ALLOWED, 200)
                            .then(ServerResponse.ok()
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .bodyValue(bytes)));
        };
    }

    private static ObjectNode model(ServedModel m) {
        ObjectNode node = JsonBody.JSON.createObjectNode();
        node.put("id", m.name());
        node.put("object", "model");
        node.put("created", 0);
        node.put("owned_by", "warden");
        node.put("engine", m.descriptor().engineKind());
        node.put("context_length", m.descriptor().contextLength());
        node.put("licence", m.descriptor().licence());
        node.put("ready", m.ready());
        return node;
    }
}
