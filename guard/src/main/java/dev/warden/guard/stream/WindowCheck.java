package dev.warden.guard.stream;

import reactor.core.publisher.Mono;

/**
 * The gateway's judgement of one window: typically Llama Guard response classification of the conversation plus
 * the window's text, then policy. It should map classifier errors and timeouts to pass or violation itself
 * (the tenant's fail-open or fail-closed); an error signal, an empty Mono or a thrown exception is treated as a
 * violation ("check failed: ..."), never as a pass.
 * <p>
 * {@link #check} is called on whatever thread delivered the chunk or the previous result (an engine slot thread,
 * a Netty event loop): it must only assemble the Mono and do the work when subscribed, off that thread. The Mono
 * is cancelled when the stream is cut or the client goes away.
 */
@FunctionalInterface
public interface WindowCheck {

    /**
     * @param window the window being judged: its {@link Window#text() text} is the fresh tokens after up to
     *               {@code overlapTokens} already judged ones as context, so its length is bounded however long
     *               the response grows; the fresh tokens are the ones released when it passes
     */
    Mono<WindowResult> check(Window window);
}
