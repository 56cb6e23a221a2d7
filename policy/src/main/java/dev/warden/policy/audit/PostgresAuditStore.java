package dev.warden.policy.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** PostgreSQL through a HikariCP pool; the schema is migrated by Flyway on construction. */
public final class PostgresAuditStore extends JdbcAuditStore {

    public static final int DEFAULT_POOL_SIZE = 4;

    /** {@code jdbcUrl} like {@code jdbc:postgresql://host:5432/db}; user and password may be null if in the URL. */
    public PostgresAuditStore(String jdbcUrl, String user, String password) {
        this(pool(jdbcUrl, user, password, DEFAULT_POOL_SIZE));
    }

    public PostgresAuditStore(String jdbcUrl, String user, String password, int poolSize) {
        this(pool(jdbcUrl, user, password, poolSize));
    }

    /** Uses a data source the caller owns (and closes). */
    public PostgresAuditStore(DataSource dataSource) {
        super(dataSource, null, "classpath:db/audit/postgresql");
    }

    private PostgresAuditStore(HikariDataSource pool) {
        super(pool, pool, "classpath:db/audit/postgresql");
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("audit-postgres");
        config.setMaximumPoolSize(poolSize);
        // The writer needs one connection; readers open more on demand. A short-lived CLI pays for one, not four.
        config.setMinimumIdle(1);
        // Fail fast when the server is down: the AuditLog spills instead of stalling its writer.
        config.setConnectionTimeout(2_000);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }
}
