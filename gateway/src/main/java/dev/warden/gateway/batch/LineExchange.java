package dev.warden.gateway.batch;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A batch line as the request path sees a request: an in-memory {@code POST} of the line's body to its endpoint, and
 * a response that keeps what the stages write (status, headers, body) instead of sending it anywhere.
 */
final class LineExchange {

    private static final DataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    private final ServerWebExchange exchange;
    private final Captured response;

    LineExchange(InputLine line, HttpHeaders headers, ServerCodecConfigurer codecs) {
        HttpHeaders all = new HttpHeaders();
        all.addAll(headers);
        all.setContentType(MediaType.APPLICATION_JSON);
        all.setContentLength(line.body().length);
        this.response = new Captured();
        this.exchange = new DefaultServerWebExchange(
                new Request(URI.create("http://batch" + line.url()), all, () -> Flux.just(BUFFERS.wrap(line.body()))),
                response,
                new DefaultWebSessionManager(),
                codecs,
                new AcceptHeaderLocaleContextResolver());
    }

    ServerWebExchange exchange() {
        return exchange;
    }

    int status() {
        return response.getStatusCode() == null ? 200 : response.getStatusCode().value();
    }

    HttpHeaders headers() {
        return response.getHeaders();
    }

    byte[] body() {
        return response.body;
    }

    private static final class Request extends AbstractServerHttpRequest {
        private final Supplier<Flux<DataBuffer>> body;

        Request(URI uri, HttpHeaders headers, Supplier<Flux<DataBuffer>> body) {
            super(HttpMethod.POST, uri, null, headers);
            this.body = body;
        }

        @Override
        protected MultiValueMap<String, HttpCookie> initCookies() {
            return new LinkedMultiValueMap<>();
        }

        @Override
        protected SslInfo initSslInfo() {
            return null;
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.defer(body);
        }

        @Override
        public <T> T getNativeRequest() {
            throw new IllegalStateException("a batch line has no native request");
        }
    }

    private static final class Captured extends AbstractServerHttpResponse {
        private volatile byte[] body = new byte[0];

        Captured() {
            super(BUFFERS);
        }

        @Override
        protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> content) {
            return DataBufferUtils.join(Flux.from(content))
                    .doOnNext(joined -> {
                        byte[] bytes = new byte[joined.readableByteCount()];
                        joined.read(bytes);
                        DataBufferUtils.release(joined);
                        body = bytes;
                    })
                    .then();
        }

        @Override
        protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> content) {
            return writeWithInternal(Flux.from(content).concatMap(Flux::from));
        }

        @Override
        protected void applyStatusCode() {}

        @Override
        protected void applyHeaders() {}

        @Override
        protected void applyCookies() {}

        @Override
        public <T> T getNativeResponse() {
            throw new IllegalStateException("a batch line has no native response");
        }

        @Override
        public String toString() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
