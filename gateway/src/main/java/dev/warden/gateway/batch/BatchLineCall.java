package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.api.OpenAiErrors;
import dev.warden.gateway.flow.Caller;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.openai.OpenAiRequests;
import dev.warden.gateway.web.RequestIds;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.tenant.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.EntityResponse;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The one seam where a batch line enters the request path: the line's body is parsed as the endpoint parses a
 * live body, then runs every stage a live request runs (licence with the batch's declared purpose, rate limits,
 * input guard, engine, output guard, audit with the batch id and the line's {@code custom_id}). Nothing else in the
 * batch package knows how the request path is built, so when the path changes only this class follows.
 */
public final class BatchLineCall {

    /** Response headers kept with a result line: what a live client would be shown beside the body. */
    private static final List<String> KEPT_HEADERS = List.of(GenerationFlow.ATTRIBUTION_HEADER,
            GenerationFlow.DECISION_HEADER);

    private final GenerationFlow flow;

    public BatchLineCall(GenerationFlow flow) {
        this.flow = flow;
    }

    Mono<LineOutcome> run(BatchJob job, Principal principal, InputLine line) {
        String requestId = RequestIds.fresh();
        HttpHeaders out = new HttpHeaders();
        Caller caller = new Caller(principal, requestId, null, job.purpose, job.derivativeModel,
                AuditRecord.Batch.line(job.id, line.customId()));
        return Mono.defer(() -> flow.run(caller, call(line), out))
                .map(response -> new LineOutcome(response.statusCode().value(), body(response), requestId,
                        kept(out, response), null))
                .onErrorResume(e -> {
                    ApiException api = Errors.toApi(e);
                    return Mono.just(new LineOutcome(api.status().value(), OpenAiErrors.bytes(api), requestId,
                            kept(out, null), api.retryAfter()));
                });
    }

    private static GenerationCall call(InputLine line) {
        return line.url().equals("/v1/chat/completions") ? GenerationCall.of(OpenAiRequests.chat(line.body()))
                : GenerationCall.of(OpenAiRequests.completion(line.body()));
    }

    /** A non-streaming answer is built from bytes in hand (an entity response); anything else is a bug here. */
    private static byte[] body(ServerResponse response) {
        if (response instanceof EntityResponse<?> entity && entity.entity() instanceof byte[] bytes) {
            return bytes;
        }
        throw new IllegalStateException("a batch line got a response without a body in hand");
    }

    private static Map<String, String> kept(HttpHeaders out, ServerResponse response) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : KEPT_HEADERS) {
            String value = response != null && response.headers().getFirst(name) != null
                    ? response.headers().getFirst(name) : out.getFirst(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        return kept;
    }
}
