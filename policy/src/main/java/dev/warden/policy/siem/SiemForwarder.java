package dev.warden.policy.siem;

import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainHead;
import dev.warden.policy.audit.ChainId;
import dev.warden.policy.audit.ChainedEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams this instance's audit chains to a SIEM as RFC 5424 syslog with CEF payloads ({@link CefMessage}) over TCP
 * or TLS, framed by octet counting (RFC 6587 3.4.1, RFC 5425), at least once.
 * <p>
 * One thread, {@code audit-siem}, reads new entries from the store chain by chain (from the last sequence number it
 * read, kept on disk), appends their messages to the on-disk backlog ({@link SyslogBacklog}), sends the backlog, and
 * confirms what was sent once the connection has stayed up {@code confirmAfter} past the last write. Plain syslog
 * has no acknowledgements: bytes written into a connection the receiver has just dropped vanish without an error,
 * so everything sent but not yet confirmed is sent again on the next connection. The receiver therefore sees every
 * entry at least once, and some twice around an outage; the chain position in each message ({@code cs5}) lets it
 * drop duplicates.
 * <p>
 * Reading the store, rather than listening to the writer, means a process killed between commit and backlog loses
 * nothing (the next start reads on from the saved position) and a full backlog just pauses reading: the backlog is
 * bounded by {@code maxBacklogBytes} while the store keeps what is not read yet. A first start reads from the
 * chains' present heads: the stream carries what happens from then on, not the store's history.
 */
public final class SiemForwarder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SiemForwarder.class);
    private static final int READ_BATCH = 1000;
    private static final int SEND_BATCH = 500;

    /**
     * @param host            the receiver
     * @param port            its port (6514 is syslog over TLS, 601 or 514 plain TCP by convention)
     * @param tls             TLS with hostname verification
     * @param caFile          PEM certificates to trust instead of the JVM's (TLS only), or null
     * @param backlogDir      where the backlog and its state live (under the data directory)
     * @param maxBacklogBytes the most unconfirmed bytes kept before reading the store pauses
     * @param poll            how often the store is read for new entries
     * @param confirmAfter    how long a connection must stay up after a write before what was written counts as
     *                        delivered
     * @param instance        the writer instance whose chains are streamed (each replica streams its own)
     */
    public record Settings(
            String host,
            int port,
            boolean tls,
            Path caFile,
            Path backlogDir,
            long maxBacklogBytes,
            Duration poll,
            Duration confirmAfter,
            Duration connectTimeout,
            String instance) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(backlogDir, "backlogDir");
            Objects.requireNonNull(instance, "instance");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the SIEM port must be 1..65535, got " + port);
            }
            if (maxBacklogBytes < 64 * 1024) {
                throw new IllegalArgumentException("the SIEM backlog needs at least 64 KiB, got " + maxBacklogBytes);
            }
        }
    }

    /** Counters since start; {@code sent} counts messages written (re-sends included), {@code resent} the re-sends. */
    public record Stats(
            long read,
            long sent,
            long resent,
            long confirmed,
            long connectionFailures,
            long pendingBytes,
            boolean connected) {}

    private final AuditStore store;
    private final Settings settings;
    private final SyslogBacklog backlog;
    private final Thread thread;
    private volatile boolean closing;
    private Socket socket;
    private OutputStream out;
    private long sentOffset;
    private long lastWriteNanos;
    private long nextConnectNanos;
    private long backoffMillis = 100;
    private boolean warnedFull;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long pendingBytes;
    private volatile boolean connected;
    /** Messages sent on the current connection that are not confirmed yet, counted to report re-sends. */
    private long unconfirmedMessages;

    public SiemForwarder(AuditStore store, Settings settings) {
        this.store = store;
        this.settings = settings;
        this.backlog = new SyslogBacklog(settings.backlogDir());
        if (backlog.fresh()) {
            store.heads(settings.instance()).forEach((tenant, head) -> backlog.cursor(key(head.chain()), head.seq()));
            try {
                backlog.append(List.of());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the SIEM backlog state", e);
            }
        }
        this.sentOffset = backlog.confirmedOffset();
        this.thread = new Thread(this::run, "audit-siem");
        thread.setDaemon(true);
    }

    public SiemForwarder start() {
        thread.start();
        log.info(
                "audit records stream to {}:{} as RFC 5424 syslog with CEF ({}), backlog in {}",
                settings.host(),
                settings.port(),
                settings.tls() ? "TLS" : "TCP",
                settings.backlogDir());
        return this;
    }

    public Stats stats() {
        return new Stats(
                read.get(), sent.get(), resent.get(), confirmed.get(), failures.get(), pendingBytes, connected);
    }

    private void run() {
        while (!closing) {
            try {
                pull();
                send();
                confirmIfDue();
                pendingBytes = backlog.pendingBytes();
            } catch (IOException | RuntimeException e) {
                log.warn("SIEM stream: {}", e.toString());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(settings.poll().toNanos());
        }
    }

    private static String key(ChainId chain) {
        return chain.tenant() + "@" + chain.instance();
    }

    /** Reads new entries of this instance's chains into the backlog, unless it is full. */
    private void pull() throws IOException {
        if (backlog.pendingBytes() >= settings.maxBacklogBytes()) {
            if (!warnedFull) {
                log.warn(
                        "SIEM backlog full ({} bytes unconfirmed): reading the audit store pauses until the "
                                + "receiver takes messages again; nothing is dropped",
                        backlog.pendingBytes());
                warnedFull = true;
            }
            return;
        }
        warnedFull = false;
        Map<String, ChainHead> heads = store.heads(settings.instance());
        for (ChainHead head : heads.values()) {
            ChainId chain = head.chain();
            long cursor = backlog.cursor(key(chain));
            if (head.seq() <= cursor) {
                continue;
            }
            long after = Math.max(cursor, 0);
            long until = after + READ_BATCH;
            List<String> messages = new ArrayList<>();
            long[] last = {after};
            store.scanChain(chain, after, row -> {
                if (row.seq() > until) {
                    return;
                }
                ChainedEntry e = ChainedEntry.stored(
                        row.tenant(), row.instance(), row.seq(), row.prevHash(), row.hash(), row.body());
                messages.add(CefMessage.of(e, settings.instance()));
                last[0] = row.seq();
            });
            if (!messages.isEmpty()) {
                backlog.cursor(key(chain), last[0]);
                backlog.append(messages);
                read.addAndGet(messages.size());
            }
        }
    }

    private void send() {
        try {
            List<SyslogBacklog.Message> batch = backlog.read(sentOffset, SEND_BATCH);
            if (batch.isEmpty() || !connect()) {
                return;
            }
            StringBuilder frames = new StringBuilder();
            for (SyslogBacklog.Message m : batch) {
                int length = m.text().getBytes(StandardCharsets.UTF_8).length;
                frames.append(length).append(' ').append(m.text());
            }
            out.write(frames.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            sentOffset = batch.get(batch.size() - 1).end();
            lastWriteNanos = System.nanoTime();
            sent.addAndGet(batch.size());
            unconfirmedMessages += batch.size();
        } catch (IOException e) {
            lost("write failed: " + e.getMessage());
        }
    }

    /** What was sent counts as delivered once the connection stayed up {@code confirmAfter} past the last write. */
    private void confirmIfDue() throws IOException {
        if (socket == null
                || sentOffset <= backlog.confirmedOffset()
                || System.nanoTime() - lastWriteNanos < settings.confirmAfter().toNanos()) {
            return;
        }
        if (!alive()) {
            lost("the receiver closed the connection");
            return;
        }
        backlog.confirm(sentOffset);
        confirmed.addAndGet(unconfirmedMessages);
        unconfirmedMessages = 0;
        sentOffset = backlog.confirmedOffset() == 0 ? 0 : sentOffset;
    }

    /** A syslog receiver sends nothing: end of stream or an error on a short read means it went away. */
    private boolean alive() {
        try {
            socket.setSoTimeout(1);
            InputStream in = socket.getInputStream();
            return in.read() >= 0;
        } catch (SocketTimeoutException stillOpen) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Drops the connection; everything sent but not confirmed is sent again on the next one. */
    private void lost(String why) {
        log.warn(
                "SIEM receiver {}:{} unavailable ({}); {} unconfirmed message(s) will be sent again",
                settings.host(),
                settings.port(),
                why,
                unconfirmedMessages);
        resent.addAndGet(unconfirmedMessages);
        unconfirmedMessages = 0;
        failures.incrementAndGet();
        disconnect();
        sentOffset = backlog.confirmedOffset();
        nextConnectNanos = System.nanoTime() + backoffMillis * 1_000_000L;
    }

    private boolean connect() {
        if (socket != null) {
            return true;
        }
        if (System.nanoTime() - nextConnectNanos < 0) {
            return false;
        }
        try {
            Socket s = settings.tls() ? tlsSocket() : new Socket();
            s.connect(new InetSocketAddress(settings.host(), settings.port()), (int)
                    settings.connectTimeout().toMillis());
            if (s instanceof SSLSocket ssl) {
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
            }
            s.setKeepAlive(true);
            socket = s;
            out = s.getOutputStream();
            connected = true;
            backoffMillis = 100;
            log.info("SIEM receiver {}:{} connected", settings.host(), settings.port());
            return true;
        } catch (IOException | java.security.GeneralSecurityException e) {
            failures.incrementAndGet();
            nextConnectNanos = System.nanoTime() + backoffMillis * 1_000_000L;
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
            log.debug("SIEM receiver {}:{} not reachable: {}", settings.host(), settings.port(), e.toString());
            return false;
        }
    }

    private Socket tlsSocket() throws IOException, java.security.GeneralSecurityException {
        SSLContext context;
        if (settings.caFile() == null) {
            context = SSLContext.getDefault();
        } else {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(settings.caFile())) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
        }
        return context.getSocketFactory().createSocket();
    }

    private void disconnect() {
        connected = false;
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        socket = null;
        out = null;
    }

    /** Stops the thread; what is not confirmed stays in the backlog for the next start. */
    @Override
    public void close() {
        closing = true;
        java.util.concurrent.locks.LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
        try {
            backlog.close();
        } catch (IOException e) {
            log.warn("closing the SIEM backlog: {}", e.toString());
        }
    }
}
