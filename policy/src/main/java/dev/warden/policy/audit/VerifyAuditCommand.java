package dev.warden.policy.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -cp ... dev.warden.policy.audit.VerifyAuditCommand <store> [--tenant T] [--user U]}
 * <p>
 * {@code <store>} is what {@link AuditStores#open(String)} takes: a SQLite file path ({@code data/audit.db}),
 * {@code jdbc:sqlite:...} or {@code jdbc:postgresql://...}. The password comes from the environment variable
 * {@code WARDEN_AUDIT_PASSWORD} (or the URL), never from the command line where {@code ps} would show it.
 * Prints one line per chain (tenant and writer instance); exit status 0 when every chain is intact, 1 when one is broken, 2 on bad usage or
 * an unreachable store.
 */
public final class VerifyAuditCommand {

    private VerifyAuditCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String location = null;
        String tenant = null;
        String user = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tenant" -> tenant = i + 1 < args.length ? args[++i] : null;
                case "--user" -> user = i + 1 < args.length ? args[++i] : null;
                default -> location = args[i];
            }
        }
        if (location == null) {
            System.err.println("usage: VerifyAuditCommand <sqlite-file | jdbc-url> [--tenant T] [--user U]");
            return 2;
        }
        try (AuditStore store = AuditStores.open(location, user, System.getenv("WARDEN_AUDIT_PASSWORD"))) {
            ChainVerifier verifier = new ChainVerifier(store);
            List<ChainVerifier.Report> reports = tenant == null ? verifier.verifyAll()
                    : new ArrayList<>(verifier.verifyTenant(tenant));
            boolean intact = true;
            for (ChainVerifier.Report r : reports) {
                if (r.intact()) {
                    System.out.printf("OK      tenant=%s instance=%s entries=%d anchor=%d head=%d %s%n",
                            r.tenant(), r.instance(), r.entriesChecked(), r.anchor().seq(), r.head().seq(), r.head().hash());
                } else {
                    ChainVerifier.BrokenLink b = r.firstBroken().get();
                    System.out.printf("BROKEN  tenant=%s instance=%s seq=%d request=%s: %s%n", b.tenant(),
                            b.instance(), b.seq(), b.requestId(), b.reason());
                    intact = false;
                }
            }
            if (reports.isEmpty()) {
                System.out.println("no chains in " + location);
            }
            return intact ? 0 : 1;
        } catch (RuntimeException e) {
            System.err.println("cannot verify " + location + ": " + e.getMessage());
            return 2;
        }
    }
}
