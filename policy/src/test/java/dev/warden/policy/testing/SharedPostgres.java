package dev.warden.policy.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL server for every test in a JVM that needs one. Starting a server (initdb, start-up) costs
 * seconds; a database costs milliseconds, so each test takes a fresh one from {@link #freshDatabase} and sees no
 * other test's rows. The server stops when the JVM exits.
 */
public final class SharedPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private SharedPostgres() {}

    /** The server, started on first use. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                // The tests kill client JVMs, never the server: server-side fsync only slows CREATE DATABASE down.
                EmbeddedPostgres started = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "off")
                        .start();
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    try {
                                        started.close();
                                    } catch (IOException e) {
                                        // the JVM is exiting; the data directory is a temporary one
                                    }
                                },
                                "shared-postgres-stop"));
                server = started;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
        }
        return server;
    }

    /** Creates a new empty database named {@code prefix_N} and returns its JDBC URL (user {@code postgres}). */
    public static String freshDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + name);
        }
        return server().getJdbcUrl("postgres", name);
    }
}
