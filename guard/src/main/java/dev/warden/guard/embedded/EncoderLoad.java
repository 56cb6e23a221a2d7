package dev.warden.guard.embedded;

import java.time.Duration;

/**
 * A snapshot of the encoder queue, for readiness and metrics.
 *
 * @param queuedWindows    windows waiting to be encoded
 * @param queuedTokens     their word pieces (with [CLS]/[SEP])
 * @param tenantsWaiting   tenants with windows waiting
 * @param backlog          the queued work in encoder time, at the recently measured rate
 * @param saturatedFor     how long the backlog has stayed above the saturation threshold (zero when below)
 * @param encodedWindows   windows encoded since start
 * @param batches          batches run since start
 * @param rejectedTexts    texts refused because the queue or the tenant's share was full
 * @param cancelledWindows queued windows dropped because their request was cancelled (timed out, client gone)
 */
public record EncoderLoad(
        int queuedWindows,
        long queuedTokens,
        int tenantsWaiting,
        Duration backlog,
        Duration saturatedFor,
        long encodedWindows,
        long batches,
        long rejectedTexts,
        long cancelledWindows) {}
