package dev.warden.guard.stream;

import reactor.core.publisher.Mono;

/**
 * The gateway's judgement of one window: typically Llama Guard response classification of the conversation plus
 * {@code responseSoFar}, then policy. It should map classifier errors and timeouts to pass or violation itself
 * (the tenant's fail-open or fail-closed); an error signal, an empty Mono or a thrown exception is treated as a
 * violation ("check failed: ..."), never as a pass.
 */
@FunctionalInterface
public interface WindowCheck {

    /**
     * @param responseSoFar the response text from its first token up to {@code window.end()}
     * @param window        the window being judged; its fresh tokens are the ones released when it passes
     */
    Mono<WindowResult> check(String responseSoFar, Window window);
}
