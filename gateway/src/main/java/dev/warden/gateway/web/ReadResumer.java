package dev.warden.gateway.web;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Asks for the next read after every response, so a keep-alive connection is never left unread.
 * <p>
 * Why: Reactor Netty reads on demand, and 1.3.x loses the demand when a request that was queued behind a
 * still-finishing exchange is answered at once (reactor/reactor-netty#4361): its queue drains with no read
 * pending, the connection's next request is never read, and the client waits until it gives up. A 401 for a
 * POST is answered at once, so a client reusing its connection after a refusal could hang (the 20 s hangs in
 * AuthFailureAuditTest and GuardFlowTest). One more read after each response costs nothing when a read is already
 * pending. Sits between the HTTP codec and Reactor Netty's traffic handler, where whole responses pass.
 */
@ChannelHandler.Sharable
final class ReadResumer extends ChannelOutboundHandlerAdapter {

    static final String NAME = "warden.readResumer";
    static final ReadResumer INSTANCE = new ReadResumer();

    private ReadResumer() {}

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            // After whatever the traffic handler runs on this response's completion: a task queued behind it.
            ctx.write(msg, promise.unvoid())
                    .addListener(done -> ctx.channel().eventLoop().execute(() -> {
                        if (ctx.channel().isActive()) {
                            ctx.read();
                        }
                    }));
            return;
        }
        ctx.write(msg, promise);
    }
}
