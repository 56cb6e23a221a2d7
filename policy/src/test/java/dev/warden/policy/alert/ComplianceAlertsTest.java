package dev.warden.policy.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.ChainHead;
import dev.warden.policy.audit.ChainId;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.ClassifierVerdict;
import dev.warden.policy.audit.Outcome;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The compliance alerts against a real local webhook receiver (JDK HTTP server). */
class ComplianceAlertsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HttpServer receiver;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T20:00:00Z"));
    private final AtomicReference<AuditLog.Stats> stats = new AtomicReference<>(stats(0, 0, false));
    private ComplianceAlerts alerts;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/warden", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (status.get() == 200) {
                received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        receiver.start();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/warden");
        alerts = new ComplianceAlerts(
                new AlertRules(Duration.ofMinutes(5), 0.2, 3, Duration.ofHours(1)),
                new SlackWebhook(url, Duration.ofSeconds(5)),
                clock,
                stats::get);
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private static AuditLog.Stats stats(long spilled, long lost, boolean pending) {
        return new AuditLog.Stats(0, 0, 0, spilled, 0, 0, lost, 0, pending, !pending);
    }

    private static ChainedEntry entry(AuditRecord r) {
        return ChainedEntry.seal(ChainHead.empty(new ChainId(r.tenant(), "gw-1")), r);
    }

    private static AuditRecord record(String tenant, int i, Outcome outcome, String category, Verdict.Status status) {
        Verdict v = status == Verdict.Status.OK
                ? Verdict.ok(
                        "llama-guard",
                        "3-1b",
                        category == null ? Map.of("unsafe", 0.01) : Map.of(category, 0.95),
                        Duration.ofMillis(40))
                : new Verdict("llama-guard", "3-1b", status, Map.of(), Duration.ofMillis(40), "timed out");
        return AuditRecord.builder("r-" + tenant + "-" + i, tenant)
                .outcome(outcome)
                .verdict(ClassifierVerdict.of(Direction.INPUT, v))
                .build();
    }

    private void traffic(String tenant, int allowed, int blockedS1) {
        List<ChainedEntry> batch = new ArrayList<>();
        for (int i = 0; i < allowed; i++) {
            batch.add(entry(record(tenant, i, Outcome.ALLOWED, null, Verdict.Status.OK)));
        }
        for (int i = 0; i < blockedS1; i++) {
            batch.add(entry(record(tenant, 1000 + i, Outcome.BLOCKED_INPUT, "S1", Verdict.Status.OK)));
        }
        alerts.observe(batch);
    }

    @Test
    void aBlockRateSpikeIsSentOnceAsSlackJsonAndAgainOnlyAfterTheDeduplicationWindow() {
        traffic("acme", 10, 5); // 5 of 15 = 33 % blocked for S1
        traffic("calm", 50, 3); // 3 of 53 = 6 %: no alert

        assertThat(alerts.evaluate()).extracting(Alert::key).containsExactly("block_rate_spike/acme/S1");
        assertThat(received).hasSize(1);
        JsonNode sent = received.get(0);
        assertThat(sent.path("text").asString()).contains("block rate spike", "tenant acme", "5 of 15", "S1");
        assertThat(sent.path("attachments").get(0).path("color").asString()).isEqualTo("warning");
        assertThat(sent.path("warden").path("labels").path("category").asString())
                .isEqualTo("S1");

        traffic("acme", 0, 5);
        clock.advance(Duration.ofMinutes(2));
        assertThat(alerts.evaluate()).isEmpty();
        assertThat(received).hasSize(1);

        clock.advance(Duration.ofMinutes(59));
        traffic("acme", 0, 5);
        assertThat(alerts.evaluate()).extracting(Alert::key).containsExactly("block_rate_spike/acme/S1");
        assertThat(received).hasSize(2);
    }

    @Test
    void bypassesSpillAndABrokenChainAreCriticalAndAFailedDeliveryIsRetried() {
        alerts.observe(List.of(entry(record("lenient", 1, Outcome.ALLOWED, null, Verdict.Status.TIMEOUT))));
        stats.set(stats(12, 0, true));
        alerts.chainBroken(new ChainVerifier.BrokenLink("acme", "gw-1", 7, "r-7", "hash does not match"));
        status.set(500);

        assertThat(alerts.evaluate()).isEmpty();

        status.set(200);
        assertThat(alerts.evaluate())
                .extracting(Alert::rule)
                .containsExactlyInAnyOrder("fail_open_bypass", "audit_spill", "chain_verify_failure");
        assertThat(received)
                .allSatisfy(j ->
                        assertThat(j.path("warden").path("severity").asString()).isEqualTo("critical"));
        assertThat(received.toString())
                .contains("llama-guard (timeout)", "12 record(s) spilled", "acme@gw-1 is broken at seq 7");

        alerts.chainsIntact();
        stats.set(stats(12, 0, false));
        clock.advance(Duration.ofHours(2));
        assertThat(alerts.evaluate()).isEmpty();
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
