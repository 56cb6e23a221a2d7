package dev.warden.gateway.bench;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The floor for any JVM hop on this machine: a bare reactor-netty server that reads the request body and sends it
 * to the upstream with a pooled reactor-netty client, answering with the upstream's bytes. No Spring, no JSON, no
 * policy, no audit. The benchmarks measure it beside the gateway so that the gateway's figures can be read against
 * what one more process-internal HTTP hop costs on the same cores: {@link #whole} for the overhead benchmark (the
 * upstream's answer sent at once), {@link #streaming} for the stream-start benchmark (each piece passed on and
 * flushed as it arrives, as the gateway flushes each event).
 */
final class BareForwarder implements AutoCloseable {

    private final DisposableServer server;
    private final ConnectionProvider pool = ConnectionProvider.create("bare-forwarder", 64);

    static BareForwarder whole(String upstreamBaseUrl) {
        return new BareForwarder(upstreamBaseUrl, false);
    }

    static BareForwarder streaming(String upstreamBaseUrl) {
        return new BareForwarder(upstreamBaseUrl, true);
    }

    private BareForwarder(String upstreamBaseUrl, boolean streaming) {
        HttpClient client = HttpClient.create(pool).baseUrl(upstreamBaseUrl);
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post("/v1/chat/completions", (req, res) -> {
                    String auth = req.requestHeaders().get("authorization");
                    return req.receive().aggregate().asByteArray().flatMap(body -> {
                        HttpClient.ResponseReceiver<?> upstream = client.headers(
                                        h -> h.set("content-type", "application/json")
                                                .set("authorization", auth))
                                .post()
                                .uri("/v1/chat/completions")
                                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
                        if (streaming) {
                            return upstream.response((answer, bytes) -> res.status(answer.status())
                                            .header(
                                                    "content-type",
                                                    answer.responseHeaders().get("content-type"))
                                            .sendObject(bytes.retain()))
                                    .then();
                        }
                        return upstream.responseSingle((answer, bytes) -> bytes.asByteArray())
                                .flatMap(bytes -> res.header("content-type", "application/json")
                                        .header("content-length", Integer.toString(bytes.length))
                                        .sendByteArray(Mono.just(bytes))
                                        .then());
                    });
                }))
                .bindNow();
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
        pool.dispose();
    }
}
