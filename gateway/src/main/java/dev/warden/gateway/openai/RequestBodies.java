package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiErrors;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Reads a JSON request body whole, refusing the wrong content type (415) and oversized bodies (413) early. */
public final class RequestBodies {

    private final int maxBytes;

    public RequestBodies(long maxBytes) {
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, maxBytes);
    }

    public Mono<byte[]> json(ServerWebExchange exchange) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        MediaType type = headers.getContentType();
        if (type == null
                || !(MediaType.APPLICATION_JSON.isCompatibleWith(type)
                        || type.getSubtype().endsWith("+json"))) {
            return Mono.error(ApiErrors.unsupportedMediaType());
        }
        if (headers.getContentLength() > maxBytes) {
            return Mono.error(ApiErrors.tooLarge());
        }
        return DataBufferUtils.join(exchange.getRequest().getBody(), maxBytes)
                .map(RequestBodies::drain)
                .defaultIfEmpty(new byte[0]);
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
