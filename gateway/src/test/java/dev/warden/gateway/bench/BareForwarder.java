package dev.warden.gateway.bench;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The floor for any JVM hop on this machine: a bare reactor-netty server that reads the request body and sends it
 * to the upstream with a pooled reactor-netty client, answering with the upstream's bytes. No Spring, no JSON, no
 * policy. The overhead benchmark measures it beside the gateway so that the gateway's figures can be read against
 * what one more process-internal HTTP hop costs on the same cores.
 */
final class BareForwarder implements AutoCloseable {

    private final DisposableServer server;
    private final ConnectionProvider pool = ConnectionProvider.create("bare-forwarder", 64);

    BareForwarder(String upstreamBaseUrl) {
        HttpClient client = HttpClient.create(pool).baseUrl(upstreamBaseUrl);
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post("/v1/chat/completions", (req, res) -> {
                    String auth = req.requestHeaders().get("authorization");
                    Mono<byte[]> upstream = req.receive()
                            .aggregate()
                            .asByteArray()
                            .flatMap(body -> client.headers(h -> h.set("content-type", "application/json")
                                            .set("authorization", auth))
                                    .post()
                                    .uri("/v1/chat/completions")
                                    .send(Mono.fromSupplier(() -> io.netty.buffer.Unpooled.wrappedBuffer(body)))
                                    .responseSingle((r, bytes) -> bytes.asByteArray()));
                    return upstream.flatMap(bytes -> res.header("content-type", "application/json")
                            .header("content-length", Integer.toString(bytes.length))
                            .sendByteArray(Mono.just(bytes))
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
