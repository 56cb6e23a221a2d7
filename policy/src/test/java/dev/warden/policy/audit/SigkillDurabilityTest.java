package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends to the embedded default store (SQLite, WAL) from 8 threads and prints each request id once
 * its future completed; it is killed with SIGKILL mid-load, and every printed id must be in the store.
 */
@Tag("slow")
class SigkillDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordSurvivesSigkill() throws Exception {
        String location = dir.resolve("data/audit.db").toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DurabilityChild.class.getName(),
                        location,
                        dir.resolve("spill.jsonl").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<String> acknowledged = new HashSet<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged.add(line.substring(4));
                    if (acknowledged.size() == 1500) {
                        // SIGKILL mid-load; the JDK closes our end of the pipe, so stop reading here.
                        child.destroyForcibly();
                        break;
                    }
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);
        assertThat(acknowledged).hasSize(1500);

        try (AuditStore store = AuditStores.open(location)) {
            Set<String> stored = new HashSet<>();
            AuditQuery q = AuditQuery.builder().limit(1000).build();
            while (true) {
                AuditPage page = store.query(q);
                page.records().forEach(r -> stored.add(r.requestId()));
                if (page.nextCursor().isEmpty()) {
                    break;
                }
                q = q.toBuilder().cursor(page.nextCursor().get()).build();
            }
            assertThat(stored).containsAll(acknowledged);
            assertThat(new ChainVerifier(store).verifyAll()).hasSize(3).allMatch(ChainVerifier.Report::intact);
        }
    }
}
