package dev.warden.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.policy.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the gateway releases the audit store's connections: a stopped gateway leaves no pool behind. The store is
 * a database of its own on the JVM's shared PostgreSQL server, so only the gateway's connections are counted.
 */
@Tag("slow")
class AuditStoreShutdownTest {

    @Test
    void closingTheGatewayClosesThePostgresAuditPool() throws Exception {
        TestTenants tenants = TestTenants.create();
        String database = SharedPostgres.freshDatabase("shutdown");
        {
            List<String> arguments = tenants.gatewayArguments("shutdown", false);
            arguments.add("--warden.audit.store=" + database);
            ConfigurableApplicationContext gateway =
                    SpringApplication.run(WardenGateway.class, arguments.toArray(String[]::new));
            try (Connection watcher = DriverManager.getConnection(database)) {
                assertThat(otherClients(watcher))
                        .as("the audit pool's connections while running")
                        .isPositive();
                gateway.close();
                await("no connection left after the gateway closed")
                        .atMost(Duration.ofSeconds(10))
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> otherClients(watcher) == 0);
            } finally {
                gateway.close();
            }
        }
    }

    private static int otherClients(Connection watcher) throws Exception {
        try (Statement s = watcher.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                                + "AND datname = current_database() AND pid <> pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }
}
