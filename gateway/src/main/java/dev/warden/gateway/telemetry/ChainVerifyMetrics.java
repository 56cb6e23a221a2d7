package dev.warden.gateway.telemetry;

import dev.warden.policy.audit.ChainVerifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Runs of audit chain verification, the periodic one ({@code warden.alerts.verify-every}) and
 * {@code GET /admin/audit/verify}, so that a verification that stopped running shows:
 * {@code warden.audit.chain.verifications} by result ({@code intact}, {@code broken}) and
 * {@code warden.audit.chain.verified.time} (Unix time in seconds of the last run, 0 until one ran). How many chains
 * the last periodic run found broken is {@code warden.audit.chains.broken} (EvidenceConfiguration).
 */
@Component
public final class ChainVerifyMetrics {

    private final Counter intact;
    private final Counter broken;
    private final AtomicLong lastRun = new AtomicLong();

    public ChainVerifyMetrics(MeterRegistry registry) {
        String help = "audit chain verifications run, by result";
        this.intact = Counter.builder("warden.audit.chain.verifications")
                .description(help)
                .tag("result", "intact")
                .register(registry);
        this.broken = Counter.builder("warden.audit.chain.verifications")
                .description(help)
                .tag("result", "broken")
                .register(registry);
        Gauge.builder("warden.audit.chain.verified.time", lastRun, AtomicLong::get)
                .description("Unix time in seconds of the last verification, 0 until one ran")
                .register(registry);
    }

    /** The reports of one verification run (one chain or all of them). */
    public void verified(List<ChainVerifier.Report> reports) {
        long brokenChains = reports.stream().filter(r -> !r.intact()).count();
        (brokenChains == 0 ? intact : broken).increment();
        lastRun.set(System.currentTimeMillis() / 1000);
    }
}
