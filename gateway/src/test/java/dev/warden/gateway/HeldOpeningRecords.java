package dev.warden.gateway;

import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.Outcome;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Fault injection for the tests of a stream's opening record: a real audit store whose writer is slow exactly when a
 * stream opens. Writing a batch that holds an opening record ({@link Outcome#STREAM_STARTED}) waits until the
 * test's current latch is open (bounded), then goes to the real store; everything else passes straight through.
 */
public final class HeldOpeningRecords {

    private HeldOpeningRecords() {}

    public static AuditStore holding(AuditStore real, Supplier<CountDownLatch> openingRecords) {
        return (AuditStore) Proxy.newProxyInstance(
                AuditStore.class.getClassLoader(), new Class<?>[] {AuditStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("append") && opens((List<?>) args[0])) {
                        if (!openingRecords.get().await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the test never let the opening record through");
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean opens(List<?> entries) {
        return entries.stream()
                .anyMatch(e -> e instanceof ChainedEntry c
                        && c.entry() instanceof AuditRecord r
                        && r.outcome() == Outcome.STREAM_STARTED);
    }
}
