package dev.warden.gateway.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * The gateway's HTTP server limits ({@link ServerLimits}): header, body-read and whole-request timeouts, a budget of
 * open connections, and the keep-alive read fix ({@link ReadResumer}).
 */
@Component
public class NettyServerSettings implements NettyServerCustomizer {

    private static final Logger log = LoggerFactory.getLogger(NettyServerSettings.class);

    private final ServerLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private long lastWarning;

    public NettyServerSettings(ServerLimits limits, MeterRegistry metrics) {
        this.limits = limits;
        Gauge.builder("warden.http.connections", open, AtomicInteger::get)
                .description("connections open now; at warden.server.max-connections new ones are closed")
                .register(metrics);
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.readTimeout(limits.readTimeout())
                .requestTimeout(limits.requestTimeout())
                .doOnChannelInit((observer, channel, address) -> configure(channel));
    }

    private void configure(Channel channel) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            warnFull();
            channel.config().setAutoRead(false);
            channel.eventLoop().execute(channel::close);
            return;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        if (channel.pipeline().get(NettyPipeline.HttpCodec) == null
                || channel.pipeline().get(NettyPipeline.HttpTrafficHandler) == null) {
            return; // not an HTTP/1.1 connection (e.g. the pipeline of another protocol): nothing to attach to
        }
        RequestHeadDeadline head = new RequestHeadDeadline(limits.headerTimeout());
        channel.pipeline()
                .addBefore(NettyPipeline.HttpCodec, RequestHeadDeadline.BYTES, head.bytes())
                .addBefore(NettyPipeline.HttpTrafficHandler, RequestHeadDeadline.MESSAGES, head.messages())
                .addBefore(NettyPipeline.HttpTrafficHandler, ReadResumer.NAME, ReadResumer.INSTANCE);
    }

    /** At most one line a minute: a flood of connections must not become a flood of log lines. */
    private synchronized void warnFull() {
        long now = System.nanoTime();
        if (now - lastWarning > 60_000_000_000L || lastWarning == 0) {
            lastWarning = now;
            log.warn(
                    "connection budget of {} (warden.server.max-connections) reached: closing new connections",
                    limits.maxConnections());
        }
    }
}
