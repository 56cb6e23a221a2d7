package dev.warden.gateway.guard;

import dev.warden.guard.embedded.EncodingQueue;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The embedded MiniLM encoder's runtime, under {@code warden.guard.encoder}; every setting has a default sized for
 * a 2-core host (see {@link EncodingQueue.Settings#defaults()}).
 *
 * @param threads                ONNX Runtime threads of one run (default: the cores, at most 2)
 * @param runners                batches run at once (default 1)
 * @param batchTokens            word pieces in one batch at most (2048)
 * @param windowsPerRequest      windows of one request in one batch at most (4): a request's share
 * @param maxWait                how long a batch waits to fill when less than one is queued (0.2 ms)
 * @param queuedWindows          windows waiting at most in all (8192); beyond, texts are refused (ERROR verdict)
 * @param queuedWindowsPerTenant windows waiting at most for one tenant (2048): a tenant's share of the queue
 * @param saturationBacklog      queued work, in encoder time, above which the encoder counts as saturated (1 s)
 * @param saturationGrace        how long it must stay saturated before readiness reports OUT_OF_SERVICE (5 s)
 * @param cachedWindows          window vectors kept in the encoding cache (16,384, ~24 MB), keyed by tenant and text
 * @param model                  an encoder graph file to run instead of the shipped one (e.g. the fused int8 graph
 *                               of {@code guard/tools/fuse-encoder.sh}); its id is the file's hash, so it needs
 *                               {@code heads} trained on it
 * @param heads                  a folder with {@code attack-head.json} and {@code hazard-head.json} to use instead of
 *                               the shipped heads (heads retrained outside the jar, e.g. for {@code model})
 */
@ConfigurationProperties("warden.guard.encoder")
public record EncoderProperties(
        Integer threads,
        Integer runners,
        Integer batchTokens,
        Integer windowsPerRequest,
        Duration maxWait,
        Integer queuedWindows,
        Integer queuedWindowsPerTenant,
        Duration saturationBacklog,
        Duration saturationGrace,
        Long cachedWindows,
        Path model,
        Path heads) {

    public EncoderProperties {
        EncodingQueue.Settings d = EncodingQueue.Settings.defaults();
        threads = threads == null ? Math.min(2, Runtime.getRuntime().availableProcessors()) : threads;
        runners = runners == null ? d.runners() : runners;
        batchTokens = batchTokens == null ? d.batchTokens() : batchTokens;
        windowsPerRequest = windowsPerRequest == null ? d.windowsPerRequest() : windowsPerRequest;
        maxWait = maxWait == null ? d.maxWait() : maxWait;
        queuedWindows = queuedWindows == null ? d.queuedWindows() : queuedWindows;
        queuedWindowsPerTenant = queuedWindowsPerTenant == null ? d.queuedWindowsPerTenant() : queuedWindowsPerTenant;
        saturationBacklog = saturationBacklog == null ? d.saturationBacklog() : saturationBacklog;
        saturationGrace = saturationGrace == null ? Duration.ofSeconds(5) : saturationGrace;
        cachedWindows = cachedWindows == null ? 16_384L : cachedWindows;
    }

    EncodingQueue.Settings settings() {
        return new EncodingQueue.Settings(
                runners,
                batchTokens,
                windowsPerRequest,
                maxWait,
                queuedWindows,
                queuedWindowsPerTenant,
                saturationBacklog);
    }
}
