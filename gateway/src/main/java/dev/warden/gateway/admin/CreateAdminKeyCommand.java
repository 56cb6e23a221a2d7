package dev.warden.gateway.admin;

import dev.warden.policy.tenant.ApiKeys;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a new admin key, once, and the configuration that enables it (its hash, its role). Nothing is written
 * anywhere: the operator puts the hash in the configuration and keeps the key in a secret store.
 * <p>
 * {@code --role admin|auditor} (default {@code admin}) and {@code --grant content-read} (repeatable) say what the
 * key may do ({@link AdminRole}, {@link AdminIdentity#CONTENT_READ}).
 * <p>
 * From the packaged gateway: {@code java -cp warden-gateway.jar -Dloader.main=dev.warden.gateway.admin.CreateAdminKeyCommand
 * org.springframework.boot.loader.launch.PropertiesLauncher --role auditor}.
 */
public final class CreateAdminKeyCommand {

    /** Distinct from tenant keys ({@code wdn-}), so that a leaked admin key is recognisable as one. */
    static final String PREFIX = "wdn-admin-";

    private CreateAdminKeyCommand() {}

    /** What the command line asked for. */
    record Options(AdminRole role, List<String> grants) {}

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: CreateAdminKeyCommand [--role admin|auditor] [--grant content-read]");
            System.exit(2);
            return;
        }
        print(generate(), options, System.out);
    }

    static Options parse(String... args) {
        AdminRole role = AdminRole.ADMIN;
        List<String> grants = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (a.equals("--role") && value != null) {
                role = AdminRole.parse(value, "--role");
                i++;
            } else if (a.startsWith("--role=")) {
                role = AdminRole.parse(a.substring("--role=".length()), "--role");
            } else if (a.equals("--grant") && value != null) {
                grants.add(grant(value));
                i++;
            } else if (a.startsWith("--grant=")) {
                grants.add(grant(a.substring("--grant=".length())));
            } else {
                throw new IllegalArgumentException("unknown or incomplete option '" + a + "'");
            }
        }
        return new Options(role, List.copyOf(grants));
    }

    private static String grant(String value) {
        if (!AdminProperties.GRANTS.contains(value)) {
            throw new IllegalArgumentException(
                    "unknown grant '" + value + "'; grants are " + String.join(", ", AdminProperties.GRANTS));
        }
        return value;
    }

    /** A fresh admin key: {@value #PREFIX} followed by the same 40 random base62 characters as a tenant key. */
    public static String generate() {
        return PREFIX + ApiKeys.generate().substring(ApiKeys.PREFIX.length());
    }

    static void print(String key, PrintStream out) {
        print(key, new Options(AdminRole.ADMIN, List.of()), out);
    }

    static void print(String key, Options options, PrintStream out) {
        String hash = ApiKeys.hash(key);
        out.println("Admin key, role " + options.role().id()
                + (options.grants().isEmpty() ? "" + "" : ", grants " + String.join(", ", options.grants()))
                + " (shown once; keep it in a secret store, it is not saved anywhere):");
        out.println();
        out.println("  " + key);
        out.println();
        out.println("Enable it in config/application.yaml:");
        out.println();
        out.println("  warden:");
        out.println("    admin:");
        if (options.role() == AdminRole.ADMIN && options.grants().isEmpty()) {
            out.println("      key-sha256: \"" + hash + "\"");
            out.println();
            out.println("or in the environment: WARDEN_ADMIN_KEYSHA256=" + hash);
            out.println(
                    "or, beside other keys, as an entry of warden.admin.keys (sha256: \"" + hash + "\", role: admin).");
        } else {
            out.println("      keys:");
            out.println("        - sha256: \"" + hash + "\"");
            out.println("          role: " + options.role().id());
            if (!options.grants().isEmpty()) {
                out.println("          grants: [" + String.join(", ", options.grants()) + "]");
            }
        }
        out.println("Then call the admin API with 'Authorization: Bearer <admin key>', or sign in at /console.");
    }
}
