package dev.warden.policy.audit;

import java.nio.file.Path;

/**
 * A test's own audit store in its temporary directory: SQLite file {@code audit.db}, and a log writing to it as
 * instance {@code gw-1} with its spill file beside it.
 */
public final class TestAuditStore {

    private TestAuditStore() {}

    public static AuditStore open(Path dir) {
        return AuditStores.open(dir.resolve("audit.db").toString());
    }

    /** The log's settings; a test changes what it is about ({@code withRetryInterval}, ...). */
    public static AuditLogConfig logConfig(Path dir) {
        return AuditLogConfig.defaults()
                .withSpillFile(dir.resolve("spill.jsonl"))
                .withInstanceId("gw-1");
    }
}
