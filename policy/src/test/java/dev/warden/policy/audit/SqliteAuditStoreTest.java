package dev.warden.policy.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;

@Tag("slow")
class SqliteAuditStoreTest extends AuditStoreContract {

    @Override
    String freshLocation() {
        return dir.resolve("data/audit.db").toString();
    }

    @Override
    void sql(String location, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + location);
                Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }
}
