package dev.warden.policy.audit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against a real PostgreSQL server, one per class, a fresh database per test. */
class PostgresAuditStoreTest extends AuditStoreContract {

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger databases = new AtomicInteger();

    @BeforeAll
    static void startPostgres() throws Exception {
        // The tests kill client JVMs, never the server: server-side fsync only slows CREATE DATABASE down here.
        postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Override
    String freshLocation() throws Exception {
        String name = "audit_" + databases.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + name);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    @Override
    void sql(String location, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(location); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }
}
