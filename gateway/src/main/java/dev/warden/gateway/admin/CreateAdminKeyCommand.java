package dev.warden.gateway.admin;

import dev.warden.policy.tenant.ApiKeys;
import java.io.PrintStream;

/**
 * Prints a new admin key, once, and the configuration line that enables it (its hash). Nothing is written
 * anywhere: the operator puts the hash in the configuration and keeps the key in a secret store.
 * <p>
 * From the packaged gateway: {@code java -cp warden-gateway.jar -Dloader.main=dev.warden.gateway.admin.CreateAdminKeyCommand
 * org.springframework.boot.loader.launch.PropertiesLauncher}.
 */
public final class CreateAdminKeyCommand {

    /** Distinct from tenant keys ({@code wdn-}), so that a leaked admin key is recognisable as one. */
    static final String PREFIX = "wdn-admin-";

    private CreateAdminKeyCommand() {
    }

    public static void main(String[] args) {
        print(generate(), System.out);
    }

    /** A fresh admin key: {@value #PREFIX} followed by the same 40 random base62 characters as a tenant key. */
    public static String generate() {
        return PREFIX + ApiKeys.generate().substring(ApiKeys.PREFIX.length());
    }

    static void print(String key, PrintStream out) {
        String hash = ApiKeys.hash(key);
        out.println("Admin key (shown once; keep it in a secret store, it is not saved anywhere):");
        out.println();
        out.println("  " + key);
        out.println();
        out.println("Enable it in config/application.yaml:");
        out.println();
        out.println("  warden:");
        out.println("    admin:");
        out.println("      key-sha256: \"" + hash + "\"");
        out.println();
        out.println("or in the environment: WARDEN_ADMIN_KEYSHA256=" + hash);
        out.println("Then call the admin API with 'Authorization: Bearer <admin key>'.");
    }
}
