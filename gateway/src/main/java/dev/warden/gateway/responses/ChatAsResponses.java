package dev.warden.gateway.responses;

import static dev.warden.gateway.responses.ResponsesRequest.JSON;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generation route's chat answer, written as a Responses API answer: a {@code chat.completion} body becomes a
 * {@code response} object, a chat stream becomes Responses events as each chat event leaves (nothing is held
 * back, so streaming stays incremental). Anything but a success passes unchanged: errors are already in OpenAI's
 * error shape, which the Responses API shares.
 */
final class ChatAsResponses extends ServerHttpResponseDecorator {

    private final ResponseObject response;
    private final Consumer<ResponseObject> onFinished;

    ChatAsResponses(ServerHttpResponse delegate, ResponseObject response, Consumer<ResponseObject> onFinished) {
        super(delegate);
        this.response = response;
        this.onFinished = onFinished;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        HttpStatusCode status = getStatusCode();
        if (status != null && !status.is2xxSuccessful()) {
            return super.writeWith(body);
        }
        MediaType type = getHeaders().getContentType();
        if (type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)) {
            return super.writeWith(events(Flux.from(body)));
        }
        return DataBufferUtils.join(body).flatMap(buffer -> {
            ObjectNode out = response.fromChat(JSON.readTree(drain(buffer)));
            onFinished.accept(response);
            byte[] json = JSON.writeValueAsBytes(out);
            getHeaders().setContentLength(json.length);
            return super.writeWith(Mono.just(bufferFactory().wrap(json)));
        });
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return writeWith(Flux.from(body).concatMap(Flux::from));
    }

    /** Each chat buffer holds whole SSE events (or comments); each becomes its Responses events at once. */
    private Flux<DataBuffer> events(Flux<DataBuffer> chat) {
        ResponseEvents events = new ResponseEvents(response);
        StringBuilder pending = new StringBuilder();
        return chat.map(buffer -> {
                    pending.append(new String(drain(buffer), StandardCharsets.UTF_8));
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    int end;
                    while ((end = pending.indexOf("\n\n")) >= 0) {
                        String event = pending.substring(0, end);
                        pending.delete(0, end + 2);
                        if (event.startsWith(":")) {
                            // a keep-alive comment: it opens the stream, and keeps idle proxies from closing it
                            out.writeBytes(events.start());
                            out.writeBytes((event + "\n\n").getBytes(StandardCharsets.UTF_8));
                        } else if (event.startsWith("data: ")) {
                            boolean wasEnded = events.ended();
                            out.writeBytes(events.onChatEvent(event.substring(6)));
                            if (!wasEnded && events.ended()) {
                                onFinished.accept(response);
                            }
                        }
                    }
                    return bufferFactory().wrap(out.toByteArray());
                })
                .filter(b -> b.readableByteCount() > 0);
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
