package dev.warden.gateway.responses;

import static dev.warden.gateway.responses.ResponsesRequest.JSON;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat completions answer of the generation flow, written as a Responses API answer: a
 * {@code chat.completion} body becomes a {@code response} object, a chat stream becomes Responses events as each
 * chat event leaves (nothing is held back, so streaming stays incremental). Errors are not touched: they are
 * already in OpenAI's error shape, which the Responses API shares.
 */
final class ChatAsResponses implements ServerResponse {

    private final ServerResponse chat;
    private final ResponseObject response;
    private final Consumer<ResponseObject> onFinished;

    ChatAsResponses(ServerResponse chat, ResponseObject response, Consumer<ResponseObject> onFinished) {
        this.chat = chat;
        this.response = response;
        this.onFinished = onFinished;
    }

    @Override
    public HttpStatusCode statusCode() {
        return chat.statusCode();
    }

    @Override
    public HttpHeaders headers() {
        return chat.headers();
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
        return chat.cookies();
    }

    @Override
    public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
        ServerHttpResponse translated = new Translating(exchange.getResponse());
        return chat.writeTo(exchange.mutate().response(translated).build(), context);
    }

    private final class Translating extends ServerHttpResponseDecorator {

        Translating(ServerHttpResponse delegate) {
            super(delegate);
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            MediaType type = getHeaders().getContentType();
            if (type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)) {
                return super.writeWith(events(Flux.from(body)));
            }
            return DataBufferUtils.join(body).flatMap(buffer -> {
                byte[] bytes = drain(buffer);
                ObjectNode out = response.fromChat(JSON.readTree(bytes));
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
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
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
            }).filter(b -> b.readableByteCount() > 0);
        }
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
