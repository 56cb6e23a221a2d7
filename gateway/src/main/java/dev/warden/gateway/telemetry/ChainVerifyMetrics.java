package dev.warden.gateway.telemetry;

import dev.warden.policy.audit.ChainVerifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Outcomes of audit chain verification ({@code GET /admin/audit/verify}), so that a broken chain raises an alert
 * and a verification that stopped running shows: {@code warden.audit.chain.verifications} by result
 * ({@code intact}, {@code broken}), {@code warden.audit.chain.broken} (chains found broken by the last run, -1 until
 * one ran) and {@code warden.audit.chain.verified.time} (its Unix time in seconds, 0 until one ran).
 */
@Component
public final class ChainVerifyMetrics {

    private final Counter intact;
    private final Counter broken;
    private final AtomicLong lastBroken = new AtomicLong(-1);
    private final AtomicLong lastRun = new AtomicLong();

    public ChainVerifyMetrics(MeterRegistry registry) {
        String help = "audit chain verifications run, by result";
        this.intact = Counter.builder("warden.audit.chain.verifications").description(help).tag("result", "intact")
                .register(registry);
        this.broken = Counter.builder("warden.audit.chain.verifications").description(help).tag("result", "broken")
                .register(registry);
        Gauge.builder("warden.audit.chain.broken", lastBroken, AtomicLong::get)
                .description("chains the last verification found broken; -1 until one ran").register(registry);
        Gauge.builder("warden.audit.chain.verified.time", lastRun, AtomicLong::get)
                .description("Unix time in seconds of the last verification, 0 until one ran").register(registry);
    }

    /** The reports of one verification run (one chain or all of them). */
    public void verified(List<ChainVerifier.Report> reports) {
        long brokenChains = reports.stream().filter(r -> !r.intact()).count();
        (brokenChains == 0 ? intact : broken).increment();
        lastBroken.set(brokenChains);
        lastRun.set(System.currentTimeMillis() / 1000);
    }
}
