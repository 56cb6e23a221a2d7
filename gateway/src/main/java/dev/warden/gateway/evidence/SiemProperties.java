package dev.warden.gateway.evidence;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The SIEM stream, under {@code warden.siem}: audit entries as RFC 5424 syslog with CEF payloads to one receiver.
 *
 * @param host         the receiver (rsyslog, syslog-ng, Splunk, QRadar, Sentinel's AMA...); absent: no stream
 * @param port         its port (default 6514 with TLS, 601 without)
 * @param tls          TLS with certificate and hostname verification (default false)
 * @param caFile       PEM certificate(s) to trust for the receiver instead of the JVM's trust store
 * @param backlogDir   the on-disk backlog (default {@code <data-dir>/siem})
 * @param maxBacklog   unconfirmed bytes kept before reading the audit store pauses (default 64MB); nothing is dropped
 * @param poll         how often new audit entries are read (default 1s)
 * @param confirmAfter how long a connection must stay up after a write before it counts as delivered (default 2s);
 *                     what was sent in that time is sent again after a broken connection
 */
@ConfigurationProperties("warden.siem")
public record SiemProperties(
        String host,
        Integer port,
        Boolean tls,
        Path caFile,
        Path backlogDir,
        DataSize maxBacklog,
        Duration poll,
        Duration confirmAfter) {

    public boolean enabled() {
        return host != null && !host.isBlank();
    }

    public boolean useTls() {
        return tls != null && tls;
    }

    public int portOrDefault() {
        return port != null ? port : useTls() ? 6514 : 601;
    }
}
