package dev.warden.policy.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -cp ... dev.warden.policy.audit.VerifyAuditCommand <store> [--tenant T] [--user U]
 * [--public-key FILE] [--checkpoints FILE]}, or {@code VerifyAuditCommand --bundle FILE --public-key FILE} for an
 * evidence bundle ({@link dev.warden.policy.evidence.BundleVerifier}), which needs no store.
 * <p>
 * With {@code --public-key} (the operator's Ed25519 public key, base64, e.g. {@code data/audit-operator.key.pub})
 * every chain is also checked against the latest signed chain-head checkpoint ({@link HeadCheckpoint}), which
 * catches deleted newest records, deleted chains and recomputed chains. {@code --checkpoints} names a file of
 * checkpoints the auditor kept (one JSON object with {@code body} and {@code signature} per line, as
 * {@code GET /admin/audit/verify} shows them); they are used instead of the store's for their instances, so that
 * deleting newer checkpoints from the store cannot roll the evidence back.
 * <p>
 * {@code <store>} is what {@link AuditStores#open(String)} takes: a SQLite file path ({@code data/audit.db}),
 * {@code jdbc:sqlite:...} or {@code jdbc:postgresql://...}. The password comes from the environment variable
 * {@code WARDEN_AUDIT_PASSWORD} (or the URL), never from the command line where {@code ps} would show it.
 * Prints one line per chain (tenant and writer instance); exit status 0 when every chain is intact, 1 when one is broken, 2 on bad usage or
 * an unreachable store.
 */
public final class VerifyAuditCommand {

    private VerifyAuditCommand() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String location = null;
        String tenant = null;
        String user = null;
        String publicKeyFile = null;
        String checkpointsFile = null;
        String bundleFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bundle" -> bundleFile = i + 1 < args.length ? args[++i] : null;
                case "--tenant" -> tenant = i + 1 < args.length ? args[++i] : null;
                case "--user" -> user = i + 1 < args.length ? args[++i] : null;
                case "--public-key" -> publicKeyFile = i + 1 < args.length ? args[++i] : null;
                case "--checkpoints" -> checkpointsFile = i + 1 < args.length ? args[++i] : null;
                default -> location = args[i];
            }
        }
        if (java.util.Arrays.asList(args).contains("--bundle")) {
            return verifyBundle(bundleFile, publicKeyFile);
        }
        if (location == null) {
            System.err.println("usage: VerifyAuditCommand <sqlite-file | jdbc-url> [--tenant T] [--user U] "
                    + "[--public-key FILE] [--checkpoints FILE]\n"
                    + "       VerifyAuditCommand --bundle FILE --public-key FILE");
            return 2;
        }
        if (checkpointsFile != null && publicKeyFile == null) {
            System.err.println("--checkpoints needs --public-key: a checkpoint proves something only with the key");
            return 2;
        }
        try (AuditStore store = AuditStores.open(location, user, System.getenv("WARDEN_AUDIT_PASSWORD"))) {
            ChainVerifier verifier = new ChainVerifier(store);
            if (publicKeyFile != null) {
                verifier = new ChainVerifier(
                        store,
                        OperatorKey.parsePublicKey(
                                java.nio.file.Files.readString(java.nio.file.Path.of(publicKeyFile))));
                if (checkpointsFile != null) {
                    verifier = verifier.against(savedCheckpoints(java.nio.file.Path.of(checkpointsFile)));
                }
            } else {
                System.out.println("NOTE    no --public-key: links checked, but deleted newest records, deleted chains "
                        + "and recomputed chains cannot be seen without the signed checkpoints");
            }
            List<ChainVerifier.Report> reports =
                    tenant == null ? verifier.verifyAll() : new ArrayList<>(verifier.verifyTenant(tenant));
            boolean intact = true;
            for (ChainVerifier.Report r : reports) {
                if (r.intact()) {
                    System.out.printf(
                            "OK      tenant=%s instance=%s entries=%d anchor=%d head=%d %s%n",
                            r.tenant(),
                            r.instance(),
                            r.entriesChecked(),
                            r.anchor().seq(),
                            r.head().seq(),
                            r.head().hash());
                } else {
                    ChainVerifier.BrokenLink b = r.firstBroken().get();
                    System.out.printf(
                            "BROKEN  tenant=%s instance=%s seq=%d request=%s: %s%n",
                            b.tenant(), b.instance(), b.seq(), b.requestId(), b.reason());
                    intact = false;
                }
            }
            if (reports.isEmpty()) {
                System.out.println("no chains in " + location);
            }
            return intact ? 0 : 1;
        } catch (RuntimeException | java.io.IOException e) {
            System.err.println("cannot verify " + location + ": " + e.getMessage());
            return 2;
        }
    }

    /**
     * {@code --bundle FILE --public-key FILE}: checks an evidence bundle offline (signature, chain links,
     * completeness, checkpoints, policy versions) and prints every finding, each naming its record.
     */
    private static int verifyBundle(String bundleFile, String publicKeyFile) {
        if (bundleFile == null || publicKeyFile == null) {
            System.err.println("usage: VerifyAuditCommand --bundle FILE --public-key FILE (a bundle proves something "
                    + "only with the operator's public key)");
            return 2;
        }
        java.security.PublicKey key;
        byte[] bundle;
        try {
            key = OperatorKey.parsePublicKey(java.nio.file.Files.readString(java.nio.file.Path.of(publicKeyFile)));
            bundle = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(bundleFile));
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("cannot verify " + bundleFile + ": " + e.getMessage());
            return 2;
        }
        dev.warden.policy.evidence.BundleVerifier.Report report =
                dev.warden.policy.evidence.BundleVerifier.verify(bundle, key);
        for (dev.warden.policy.evidence.BundleVerifier.Finding f : report.findings()) {
            System.out.println("BROKEN  " + f);
        }
        if (report.intact()) {
            System.out.printf(
                    "OK      bundle %s: %d entries in %d chain(s), %d checkpoint(s), %d policy version(s); "
                            + "signed by operator key %s%n",
                    bundleFile,
                    report.entries(),
                    report.chains(),
                    report.checkpoints(),
                    report.policyVersions(),
                    OperatorKey.idOf(key));
            return 0;
        }
        return 1;
    }

    private static List<HeadCheckpoint> savedCheckpoints(java.nio.file.Path file) throws java.io.IOException {
        List<HeadCheckpoint> saved = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(file)) {
            if (!line.isBlank()) {
                java.util.Map<String, Object> m = CanonicalJson.read(line);
                saved.add(HeadCheckpoint.stored((String) m.get("body"), (String) m.get("signature")));
            }
        }
        return saved;
    }
}
