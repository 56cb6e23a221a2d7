package dev.warden.gateway.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A request's headers must be complete within {@code warden.server.header-timeout} of its first byte; otherwise
 * the client gets 408 and the connection is closed. Reactor Netty's own read and request timeouts start only once
 * the headers are in, and its idle timeout restarts on every byte, so a client trickling a header a byte at a time
 * would otherwise hold the connection as long as it likes.
 * <p>
 * Two handlers share one connection's state: {@link #bytes()} before the HTTP codec sees the first byte of a
 * request, {@link #messages()} after it sees the decoded headers and the end of each response. Both run on the
 * connection's event loop, so the state needs no locking.
 */
final class RequestHeadDeadline {

    static final String BYTES = "warden.headDeadline.bytes";
    static final String MESSAGES = "warden.headDeadline.messages";

    private static final String TIMEOUT_BODY = "{\"error\":{\"message\":\"the request headers were not received "
            + "in time\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"request_timeout\"}}";
    private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
                    + "X-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: " + TIMEOUT_BODY.length()
                    + "\r\n\r\n" + TIMEOUT_BODY)
            .getBytes(StandardCharsets.US_ASCII);

    private final long timeoutNanos;
    /** Requests whose headers were decoded, and responses completed: equal while no request is under way. */
    private long heads;

    private long answered;
    private ScheduledFuture<?> deadline;

    RequestHeadDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (deadline == null && heads == answered && msg instanceof ByteBuf buf && buf.isReadable()) {
                    long at = heads;
                    deadline = ctx.executor().schedule(() -> expire(ctx, at), timeoutNanos, TimeUnit.NANOSECONDS);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                cancel();
                super.channelInactive(ctx);
            }
        };
    }

    ChannelDuplexHandler messages() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    heads++;
                    cancel();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                // The end of a final response; a "100 Continue" is a whole message too, but answers nothing.
                boolean interim =
                        msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                if (msg instanceof LastHttpContent && !interim && answered < heads) {
                    answered++;
                }
                ctx.write(msg, promise);
            }
        };
    }

    private void expire(ChannelHandlerContext ctx, long headsWhenStarted) {
        deadline = null;
        if (heads == headsWhenStarted && ctx.channel().isActive()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
