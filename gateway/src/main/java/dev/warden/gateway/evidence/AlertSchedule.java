package dev.warden.gateway.evidence;

import dev.warden.policy.alert.ComplianceAlerts;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The compliance alerts and the daemon thread that evaluates them and verifies the chains; closed at shutdown. A
 * bean of its own type rather than a bare executor, so that nothing else in the context picks the thread up.
 */
public final class AlertSchedule implements AutoCloseable {

    private final ComplianceAlerts alerts;
    private final ScheduledExecutorService scheduler;

    AlertSchedule(ComplianceAlerts alerts, ScheduledExecutorService scheduler) {
        this.alerts = alerts;
        this.scheduler = scheduler;
    }

    public ComplianceAlerts alerts() {
        return alerts;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
