package dev.warden.gateway.batch;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The Files and Batch API, under {@code warden.batch}.
 *
 * @param maxFileSize        largest file a tenant may upload (default 100MB); larger uploads get 413
 * @param maxLines           most requests one batch input file may hold (default 50000, as OpenAI)
 * @param engineShare        share of each model's capacity that batch lines may take at once (default 0.25):
 *                           live requests keep the rest. Capacity is the llama.cpp slots of an in-process model,
 *                           the connections of a remote one; a batch always gets at least one line at a time
 * @param maxConcurrentLines most batch lines in flight per model, whatever the share gives (default 4)
 * @param retryDelay         wait before a line refused for the moment (rate limit, busy engine) is tried again when
 *                           the refusal names no Retry-After (default 5s)
 * @param maxRunningBatches  batches run at once, all tenants together (default 4); later ones wait in
 *                           {@code validating}, in the order they were created
 * @param retention          how long files and finished batches are kept, and how often the {@link RetentionSweeper}
 *                           looks for those whose time is up
 */
@ConfigurationProperties("warden.batch")
public record BatchProperties(
        DataSize maxFileSize,
        Integer maxLines,
        Double engineShare,
        Integer maxConcurrentLines,
        Duration retryDelay,
        Integer maxRunningBatches,
        Retention retention) {

    /**
     * How long the gateway keeps files and batches: the operator's retention is both what applies when the client
     * does not say ({@code expires_after} of an upload, {@code output_expires_after} of a batch) and the most a client
     * may ask for. A shorter expiry of the client's wins; a longer one is cut to the operator's (and to the tenant's
     * content retention), and the file object's {@code expires_at} says so. Compliance sets how long users' prompts
     * and the model's outputs may be kept, not each client. A retention of 0 ({@link #UNTIL_DELETED}) keeps files
     * until a client deletes them (OpenAI keeps files that are not batch files so), batch records for good.
     *
     * @param uploads       an uploaded file, from its creation (default 30 days, as OpenAI keeps batch input)
     * @param outputs       a batch's output and error files, from their creation (default 30 days, as OpenAI)
     * @param batches       a finished batch's record, from its end (default 30 days); its files have their own expiry
     * @param sweepInterval how often expired files and batch records are deleted (default 10 minutes)
     */
    public record Retention(Duration uploads, Duration outputs, Duration batches, Duration sweepInterval) {

        /** The retention that never expires anything: {@code 0} in the configuration. */
        static final Duration UNTIL_DELETED = Duration.ZERO;

        public Retention {
            uploads = retention("uploads", uploads);
            outputs = retention("outputs", outputs);
            batches = retention("batches", batches);
            sweepInterval = sweepInterval == null ? Duration.ofMinutes(10) : sweepInterval;
            if (sweepInterval.isNegative() || sweepInterval.isZero()) {
                throw new IllegalArgumentException(
                        "warden.batch.retention.sweep-interval must be positive, got " + sweepInterval);
            }
        }

        private static Duration retention(String name, Duration value) {
            if (value == null) {
                return Duration.ofDays(30);
            }
            if (value.isNegative()) {
                throw new IllegalArgumentException("warden.batch.retention." + name
                        + " must be a positive duration, or 0 to keep until deleted; got " + value);
            }
            return value;
        }

        /** How long a file of this purpose is kept when nobody chose an expiry for it. */
        Duration of(String purpose) {
            return StoredFile.BATCH_OUTPUT.equals(purpose) ? outputs : uploads;
        }

        /** Whether finished batches' records are ever deleted. */
        boolean batchesExpire() {
            return !batches.equals(UNTIL_DELETED);
        }

        /**
         * Seconds a file of this purpose is kept, empty for as long as nobody deletes it: the client's own expiry
         * (null if none), at most the operator's retention (unless {@link #UNTIL_DELETED}) and at most the content
         * retention the tenant chose, {@code audit.content-retention-days} (a file is content: batch input holds
         * users' prompts, output the model's answers, and they must not outlive the text the tenant's audit records
         * may keep).
         */
        OptionalLong secondsFor(String purpose, Long clientSeconds, OptionalInt tenantContentRetentionDays) {
            long most = Long.MAX_VALUE;
            if (!of(purpose).equals(UNTIL_DELETED)) {
                most = of(purpose).toSeconds();
            }
            if (tenantContentRetentionDays.isPresent()) {
                most = Math.min(
                        most,
                        Duration.ofDays(tenantContentRetentionDays.getAsInt()).toSeconds());
            }
            if (clientSeconds != null) {
                most = Math.min(most, clientSeconds);
            }
            return most == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(most);
        }
    }

    public BatchProperties {
        maxFileSize = maxFileSize == null ? DataSize.ofMegabytes(100) : maxFileSize;
        maxLines = maxLines == null ? 50_000 : maxLines;
        engineShare = engineShare == null ? 0.25 : engineShare;
        maxConcurrentLines = maxConcurrentLines == null ? 4 : maxConcurrentLines;
        retryDelay = retryDelay == null ? Duration.ofSeconds(5) : retryDelay;
        maxRunningBatches = maxRunningBatches == null ? 4 : maxRunningBatches;
        retention = retention == null ? new Retention(null, null, null, null) : retention;
        if (engineShare <= 0 || engineShare > 1) {
            throw new IllegalArgumentException("warden.batch.engine-share must be in (0, 1]");
        }
        if (retryDelay.isZero() || retryDelay.isNegative()) {
            // a refused line would be retried at once, over and over, against the limit that refused it
            throw new IllegalArgumentException("warden.batch.retry-delay must be more than zero, got " + retryDelay);
        }
        if (maxLines < 1 || maxConcurrentLines < 1 || maxRunningBatches < 1) {
            throw new IllegalArgumentException(
                    "warden.batch.max-lines, max-concurrent-lines and max-running-batches " + "must be at least 1");
        }
    }
}
