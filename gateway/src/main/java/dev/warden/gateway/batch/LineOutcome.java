package dev.warden.gateway.batch;

import java.time.Duration;
import java.util.Map;

/**
 * What the request path answered for one batch line: the status and body a live client would have received, the
 * request id its audit record carries, the response headers worth keeping with the line (decision, attribution),
 * and, for a refusal that is only for now (rate limit, busy engine), when to try again.
 */
record LineOutcome(int status, byte[] body, String requestId, Map<String, String> headers, Duration retryAfter) {

    boolean succeeded() {
        return status >= 200 && status < 300;
    }

    /**
     * Answered, but the output guard withheld the answer (a live client gets 200 with {@code finish_reason:
     * content_filter}): the line goes to the error file, so the output file holds only released answers, the
     * training set a distillation job expects.
     */
    boolean withheld() {
        return succeeded() && "block".equals(headers.get("x-warden-decision"));
    }

    /** Refused for the moment, not for what the line asks: the line is tried again, not written as failed. */
    boolean retryable() {
        return retryAfter != null && (status == 429 || status == 503);
    }
}
