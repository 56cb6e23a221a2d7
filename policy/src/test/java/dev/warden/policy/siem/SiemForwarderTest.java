package dev.warden.policy.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.Records;
import dev.warden.policy.audit.TestAuditStore;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIEM stream against a real syslog receiver: a TCP server started by the test that parses octet-counted RFC
 * 5424 frames and counts every request id it receives. The receiver is killed, traffic goes on, the forwarder is
 * restarted too, the receiver comes back: every record arrives, none is lost; duplicates are allowed and counted.
 */
class SiemForwarderTest {

    private static final Pattern FRAME_ID = Pattern.compile("externalId=(\\S+)");

    @TempDir
    Path dir;

    private AuditStore store;
    private AuditLog log;
    private Receiver receiver;
    /** Every request id any receiver got, and how often. */
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    private SiemForwarder forwarder;

    @BeforeEach
    void open() throws IOException {
        store = TestAuditStore.open(dir);
        log = new AuditLog(store, TestAuditStore.logConfig(dir));
        receiver = new Receiver(0, counts);
    }

    @AfterEach
    void close() throws IOException {
        if (forwarder != null) {
            forwarder.close();
        }
        receiver.kill();
        log.close();
        store.close();
    }

    private SiemForwarder forwarder() {
        return new SiemForwarder(
                        store,
                        new SiemForwarder.Settings(
                                "127.0.0.1",
                                receiver.port,
                                false,
                                null,
                                dir.resolve("siem"),
                                1024 * 1024,
                                Duration.ofMillis(20),
                                Duration.ofMillis(300),
                                Duration.ofSeconds(2),
                                "gw-1"))
                .start();
    }

    private void traffic(String tenant, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            log.append(Records.record(tenant, i)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyRecordArrivesAfterAReceiverOutageAndAForwarderRestartWithDuplicatesCounted() throws Exception {
        forwarder = forwarder();
        traffic("acme", 1, 20);
        await().atMost(Duration.ofSeconds(20)).until(() -> counts.size() == 20);

        receiver.kill();
        traffic("acme", 21, 40);
        traffic("other", 1, 10);
        await().atMost(Duration.ofSeconds(20)).until(() -> forwarder.stats().connectionFailures() > 0);

        // The gateway restarts while the receiver is still down: the backlog on disk carries over.
        forwarder.close();
        traffic("acme", 41, 50);
        forwarder = forwarder();

        receiver = new Receiver(receiver.port, counts);
        await().atMost(Duration.ofSeconds(30)).until(() -> counts.size() == 60);

        Map<String, Integer> all = new java.util.TreeMap<>(counts);
        for (int i = 1; i <= 50; i++) {
            assertThat(all).containsKey("r-acme-" + i);
        }
        for (int i = 1; i <= 10; i++) {
            assertThat(all).containsKey("r-other-" + i);
        }
        long duplicates = all.values().stream().mapToLong(n -> n - 1).sum();
        System.out.printf(
                "SIEM outage: 60 records, %d received in all, %d duplicate(s), none lost%n",
                all.values().stream().mapToLong(Integer::longValue).sum(), duplicates);
        assertThat(all).hasSize(60);
    }

    @Test
    void messagesAreRfc5424WithCefAndNeverCarryContent() throws Exception {
        forwarder = forwarder();
        traffic("acme", 1, 1); // record 1 stores content (Records: i % 4 == 1)
        await().atMost(Duration.ofSeconds(20)).until(() -> counts.size() == 1);

        String frame = receiver.frames.get(0);
        assertThat(frame)
                .matches("<\\d{2,3}>1 2026-11-01T10:00:01Z gw-1 warden - audit - CEF:0\\|Warden\\|Warden "
                        + "Gateway\\|1\\|allowed\\|request allowed\\|1\\|.*");
        assertThat(frame)
                .contains("externalId=r-acme-1", "cs1=acme", "suser=key-1", "cs5=acme@gw-1:1", "cs2=llama-3.1-70b")
                .doesNotContain("REDACTED", "prompt,");
    }

    /**
     * A syslog receiver over TCP: octet-counted frames, counting request ids into {@code counts}, which outlives
     * it so that a restarted receiver on the same port adds to what the killed one got. kill() drops every
     * connection at once, as a crashed receiver does.
     */
    private static final class Receiver {
        final int port;
        final ServerSocket server;
        final List<Socket> clients = new CopyOnWriteArrayList<>();
        final List<String> frames = new CopyOnWriteArrayList<>();
        final Map<String, Integer> counts;

        Receiver(int port, Map<String, Integer> counts) throws IOException {
            this.counts = counts;
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", port));
            this.port = server.getLocalPort();
            Thread accept = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try {
                                Socket s = server.accept();
                                clients.add(s);
                                Thread reader = new Thread(() -> read(s), "syslog-receiver-conn");
                                reader.setDaemon(true);
                                reader.start();
                            } catch (IOException closed) {
                                return;
                            }
                        }
                    },
                    "syslog-receiver");
            accept.setDaemon(true);
            accept.start();
        }

        private void read(Socket s) {
            try (DataInputStream in = new DataInputStream(s.getInputStream())) {
                while (true) {
                    StringBuilder length = new StringBuilder();
                    int c;
                    while ((c = in.read()) != ' ') {
                        if (c < 0) {
                            return;
                        }
                        length.append((char) c);
                    }
                    byte[] frame = new byte[Integer.parseInt(length.toString())];
                    in.readFully(frame);
                    String text = new String(frame, StandardCharsets.UTF_8);
                    frames.add(text);
                    Matcher m = FRAME_ID.matcher(text);
                    if (m.find()) {
                        counts.merge(m.group(1), 1, Integer::sum);
                    }
                }
            } catch (IOException gone) {
                // killed, or the sender went away
            }
        }

        void kill() throws IOException {
            server.close();
            for (Socket s : clients) {
                s.close();
            }
        }
    }
}
