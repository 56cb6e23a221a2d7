package dev.warden.policy.tenant;

import dev.warden.policy.licence.LicenceCatalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code create-key --tenant ID [--file config/tenants.yaml] [--label TEXT] [--licences config/licences]}: adds a
 * new key's hash to the tenants file and prints the clear key once on standard output (everything else goes to
 * standard error, so {@code KEY=$(... create-key ...)} captures only the key). A running gateway picks the new key
 * up at its next poll.
 */
public final class CreateKeyCommand {

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String tenant = null;
        Path file = Path.of("config/tenants.yaml");
        Path licences = Path.of("config/licences");
        String label = "";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i == 0 && a.equals("create-key")) {
                continue;
            }
            if (i + 1 >= args.length || !a.startsWith("--")) {
                err.println(usage());
                return 2;
            }
            String value = args[++i];
            switch (a) {
                case "--tenant" -> tenant = value;
                case "--file" -> file = Path.of(value);
                case "--label" -> label = value;
                case "--licences" -> licences = Path.of(value);
                default -> {
                    err.println("unknown option " + a + "\n" + usage());
                    return 2;
                }
            }
        }
        if (tenant == null) {
            err.println(usage());
            return 2;
        }
        try {
            LicenceCatalog catalog =
                    Files.isDirectory(licences) ? LicenceCatalog.load(licences) : LicenceCatalog.empty();
            String key = new TenantFileEditor(catalog).createKey(file, tenant, label);
            err.println("Added key " + ApiKeys.keyId(ApiKeys.hash(key)) + " for tenant " + tenant + " to " + file
                    + ". This is the only time the key is shown:");
            out.println(key);
            return 0;
        } catch (RuntimeException e) {
            err.println("create-key failed: " + e.getMessage());
            return 1;
        }
    }

    private static String usage() {
        return "usage: create-key --tenant ID [--file config/tenants.yaml] [--label TEXT] [--licences config/licences]";
    }
}
