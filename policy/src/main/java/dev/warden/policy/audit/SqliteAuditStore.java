package dev.warden.policy.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded default: one SQLite file in WAL mode. A committed transaction survives the process being killed
 * (WAL appends are in the file before commit returns); with {@link Sync#FULL}, the default, it also survives
 * power loss, because the WAL is fsync'd at every commit. The {@link AuditLog}'s group commit makes that one
 * fsync per batch, not per record.
 */
public final class SqliteAuditStore extends JdbcAuditStore {

    /** SQLite's {@code synchronous} pragma. NORMAL in WAL mode loses the last commits on power loss, not on kill. */
    public enum Sync {
        FULL,
        NORMAL
    }

    public SqliteAuditStore(Path file) {
        this(file, Sync.FULL);
    }

    public SqliteAuditStore(Path file, Sync sync) {
        this(open(file, sync));
    }

    private SqliteAuditStore(HikariDataSource pool) {
        super(pool, pool, "classpath:db/audit/sqlite");
    }

    private static HikariDataSource open(Path file, Sync sync) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + file, e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(
                sync == Sync.FULL ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        // Writers take the lock at BEGIN, so a reader upgrading mid-transaction cannot deadlock the writer thread.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(sqlite);
        pool.setPoolName("audit-sqlite");
        // One writer plus a few readers (dashboard, verifier); SQLite serialises writers anyway.
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        return new HikariDataSource(pool);
    }
}
