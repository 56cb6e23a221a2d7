package dev.warden.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Closing the gateway releases the audit store's connections: a stopped gateway leaves no pool behind. */
class AuditStoreShutdownTest {

    @Test
    void closingTheGatewayClosesThePostgresAuditPool() throws Exception {
        TestTenants tenants = TestTenants.create();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            ConfigurableApplicationContext gateway = SpringApplication.run(WardenGateway.class,
                    "--server.port=0", "--logging.level.root=WARN",
                    "--warden.tenants-file=" + tenants.file,
                    "--warden.licences-dir=" + TestTenants.CONFIG.resolve("licences"),
                    "--warden.data-dir=" + tenants.dir.resolve("data-shutdown"),
                    "--warden.guard.rules.enabled=false", "--warden.guard.embedded.enabled=false",
                    "--warden.guard.code-security.enabled=false",
                    "--warden.audit.store=" + pg.getJdbcUrl("postgres", "postgres"));
            try (Connection watcher = pg.getPostgresDatabase().getConnection()) {
                assertThat(otherClients(watcher)).as("the audit pool's connections while running").isPositive();
                gateway.close();
                long deadline = System.nanoTime() + 10_000_000_000L;
                int left;
                while ((left = otherClients(watcher)) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(left).as("connections left after the gateway closed").isZero();
            } finally {
                gateway.close();
            }
        }
    }

    private static int otherClients(Connection watcher) throws Exception {
        try (Statement s = watcher.createStatement(); ResultSet r = s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                        + "AND pid <> pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }
}
