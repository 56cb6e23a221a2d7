package dev.warden.policy.audit;

import dev.warden.policy.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;

/** The contract against a real PostgreSQL server (the JVM's shared one), a fresh database per test. */
@Tag("slow")
class PostgresAuditStoreTest extends AuditStoreContract {

    @Override
    String freshLocation() throws Exception {
        return SharedPostgres.freshDatabase("audit");
    }

    @Override
    void sql(String location, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(location);
                Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }
}
