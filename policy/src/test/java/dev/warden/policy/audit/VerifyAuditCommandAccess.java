package dev.warden.policy.audit;

/** Lets tests in other packages run {@link VerifyAuditCommand} without exiting the JVM. */
public final class VerifyAuditCommandAccess {

    private VerifyAuditCommandAccess() {}

    public static int run(String... args) {
        return VerifyAuditCommand.run(args);
    }
}
