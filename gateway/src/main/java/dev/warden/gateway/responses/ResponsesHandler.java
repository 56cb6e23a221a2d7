package dev.warden.gateway.responses;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.openai.OpenAiRequests;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.web.ApiKeyAuthFilter;
import dev.warden.gateway.web.RequestIds;
import dev.warden.policy.tenant.Principal;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;

/**
 * OpenAI's Responses API ({@code POST /v1/responses}, {@code GET} and {@code DELETE /v1/responses/{id}}) on top of
 * the chat generation path: the request is translated into a chat completion request, which is licensed, rate
 * limited, guarded, generated and audited exactly as one sent to {@code /v1/chat/completions}; the answer is
 * translated back. Every engine is spoken to in chat form.
 */
public final class ResponsesHandler {

    private final RequestBodies bodies;
    private final GenerationFlow flow;
    private final StoredResponses stored;
    private final ModelFeatures features;

    public ResponsesHandler(RequestBodies bodies, GenerationFlow flow, StoredResponses stored,
                            ModelFeatures features) {
        this.bodies = bodies;
        this.flow = flow;
        this.stored = stored;
        this.features = features;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        Principal principal = ApiKeyAuthFilter.principal(request.exchange());
        String tenant = principal.tenantId();
        return bodies.json(request).flatMap(bytes -> {
            ResponsesRequest parsed = ResponsesRequest.parse(bytes, id -> {
                StoredResponses.Stored s = stored.get(tenant, id);
                return s == null ? null : s.conversation();
            });
            var chat = features.shape(OpenAiRequests.chat(parsed.chatBody()));
            ResponseObject response = new ResponseObject("resp_" + RequestIds.of(request.exchange()),
                    Instant.now().getEpochSecond(), parsed.model(), parsed.echo());
            return flow.run(request, GenerationCall.of(chat)).map(answer -> answer.statusCode().is2xxSuccessful()
                    ? new ChatAsResponses(answer, response, done -> {
                        if (parsed.store()) {
                            ArrayNode conversation = parsed.history().deepCopy();
                            conversation.addAll(done.assistantTurns());
                            stored.put(tenant, principal.policy().audit().retentionDays(), done.render(null),
                                    conversation);
                        }
                    })
                    : answer);
        });
    }

    public Mono<ServerResponse> retrieve(ServerRequest request) {
        String id = request.pathVariable("id");
        StoredResponses.Stored s = stored.get(ApiKeyAuthFilter.principal(request.exchange()).tenantId(), id);
        if (s == null) {
            return Mono.error(notFound(id));
        }
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ResponsesRequest.JSON.writeValueAsBytes(s.response()));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        String id = request.pathVariable("id");
        if (!stored.delete(ApiKeyAuthFilter.principal(request.exchange()).tenantId(), id)) {
            return Mono.error(notFound(id));
        }
        var body = ResponsesRequest.JSON.createObjectNode().put("id", id).put("object", "response.deleted")
                .put("deleted", true);
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ResponsesRequest.JSON.writeValueAsBytes(body));
    }

    private static ApiException notFound(String id) {
        return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "not_found", "response_id",
                "No response with id '" + id + "' is stored for this tenant");
    }
}
