package dev.warden.gateway.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * A closed-loop HTTP load generator on one event-loop thread of its own: {@code concurrency} virtual clients, each
 * sending its next request as soon as the previous answer is in. It is the same for the direct baseline and the
 * gateway. It replaces the JDK's HttpClient, which spent about 250 µs of CPU per request here and handed every
 * request between two of its threads: on a 2-core machine shared with what it measures, that load generator was
 * itself the largest consumer of CPU and the largest source of scheduling noise.
 */
final class LoadGenerator implements AutoCloseable {

    private final LoopResources loop = LoopResources.create("load-generator", 1, true);
    private final ConnectionProvider pool = ConnectionProvider.builder("load-generator")
            .maxConnections(64)
            .pendingAcquireMaxCount(-1)
            .build();
    private final HttpClient client = HttpClient.create(pool).runOn(loop);

    /** The outcome of one measured run. */
    record Run(double seconds, Map<Integer, Integer> failures) {}

    /**
     * Sends {@code total} POST requests to {@code uri} from {@code concurrency} virtual clients, recording each
     * latency into {@code into} (when not null); {@code body} gives the body of the n-th request.
     */
    Run run(URI uri, String bearer, int concurrency, int total, IntFunction<String> body, LatencyRecorder into)
            throws InterruptedException {
        AtomicInteger issued = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        Map<Integer, Integer> failures = new ConcurrentHashMap<>();
        HttpClient.RequestSender sender = client.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer))
                .post()
                .uri(uri.toString());
        long start = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            next(sender, issued, total, body, into, failures, done);
        }
        done.await();
        return new Run((System.nanoTime() - start) / 1e9, failures);
    }

    private void next(
            HttpClient.RequestSender sender,
            AtomicInteger issued,
            int total,
            IntFunction<String> body,
            LatencyRecorder into,
            Map<Integer, Integer> failures,
            CountDownLatch done) {
        int n = issued.incrementAndGet();
        if (n > total) {
            done.countDown();
            return;
        }
        String json = body.apply(n);
        long t0 = System.nanoTime();
        sender.send(ByteBufMono.fromString(Mono.just(json)))
                .responseSingle((response, content) -> content.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(ignored -> response.status().code()))
                .subscribe(
                        status -> {
                            if (into != null) {
                                into.record(System.nanoTime() - t0);
                            }
                            if (status != 200) {
                                failures.merge(status, 1, Integer::sum);
                            }
                            next(sender, issued, total, body, into, failures, done);
                        },
                        error -> {
                            failures.merge(-1, 1, Integer::sum);
                            next(sender, issued, total, body, into, failures, done);
                        });
    }

    @Override
    public void close() {
        pool.dispose();
        loop.dispose();
    }
}
