package dev.warden.policy.audit;

import java.nio.file.Path;

/** Opens a store from a configuration string, so the gateway and the CLI accept the same values. */
public final class AuditStores {

    private AuditStores() {}

    /**
     * {@code jdbc:postgresql://host/db?user=u&password=p} opens PostgreSQL; {@code jdbc:sqlite:path},
     * {@code sqlite:path} or a plain file path opens SQLite (e.g. {@code data/audit.db}).
     */
    public static AuditStore open(String location) {
        return open(location, null, null);
    }

    public static AuditStore open(String location, String user, String password) {
        return open(location, user, password, SqliteAuditStore.Sync.FULL);
    }

    /** As {@link #open(String, String, String)}, with the fsync level of an SQLite store. */
    public static AuditStore open(String location, String user, String password, SqliteAuditStore.Sync sync) {
        if (location.startsWith("jdbc:postgresql:")) {
            return new PostgresAuditStore(location, user, password);
        }
        if (location.startsWith("jdbc:sqlite:")) {
            return new SqliteAuditStore(Path.of(location.substring("jdbc:sqlite:".length())), sync);
        }
        if (location.startsWith("sqlite:")) {
            return new SqliteAuditStore(Path.of(location.substring("sqlite:".length())), sync);
        }
        if (location.startsWith("jdbc:")) {
            throw new IllegalArgumentException("unsupported audit store " + location);
        }
        return new SqliteAuditStore(Path.of(location), sync);
    }
}
