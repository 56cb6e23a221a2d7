package dev.warden.gateway.bench;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The floor for a streaming JVM hop on this machine: a bare reactor-netty server that reads the request body,
 * sends it to the upstream with a pooled reactor-netty client and passes the upstream's response body on as its
 * bytes arrive, each flushed at once. No Spring, no JSON, no policy, no audit. {@link StreamStartBenchmark} measures
 * it beside the gateway ({@code -Dbench.rows=floor}), so that the gateway's added time to the first content byte
 * can be read against what any process-internal streaming hop costs on the same cores.
 */
final class BareStreamForwarder implements AutoCloseable {

    private final DisposableServer server;
    private final ConnectionProvider pool = ConnectionProvider.create("bare-stream-forwarder", 64);

    BareStreamForwarder(String upstreamBaseUrl) {
        HttpClient client = HttpClient.create(pool).baseUrl(upstreamBaseUrl);
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post("/v1/chat/completions", (req, res) -> {
                    String auth = req.requestHeaders().get("authorization");
                    return req.receive().aggregate().asByteArray().flatMap(body -> client.headers(h ->
                                    h.set("content-type", "application/json").set("authorization", auth))
                            .post()
                            .uri("/v1/chat/completions")
                            .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                            .response((upstream, bytes) -> res.status(upstream.status())
                                    .header(
                                            "content-type",
                                            upstream.responseHeaders().get("content-type"))
                                    // every piece is flushed as it comes, as the gateway flushes each event
                                    .sendObject(bytes.retain()))
                            .then());
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
