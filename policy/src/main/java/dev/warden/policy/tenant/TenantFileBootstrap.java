package dev.warden.policy.tenant;

import dev.warden.policy.licence.LicenceCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * First start: when there is no tenants file yet, create one from the example with a fresh key for tenant
 * {@value #FIRST_TENANT}, and hand that key over in a file only the owner can read. The caller logs the path of
 * that file, never the key: logs are copied to places keys must not go.
 */
public final class TenantFileBootstrap {

    public static final String FIRST_TENANT = "local";

    private TenantFileBootstrap() {}

    /**
     * Creates {@code tenantsFile} from {@code exampleFile} if it does not exist. Returns the path of the file holding
     * the first clear key when it created one, empty when the tenants file already existed.
     */
    public static Optional<Path> createIfMissing(
            Path tenantsFile, Path exampleFile, Path firstKeyFile, LicenceCatalog licences) {
        if (Files.exists(tenantsFile)) {
            return Optional.empty();
        }
        try {
            String example = Files.readString(exampleFile, StandardCharsets.UTF_8);
            TenantFileEditor.writeAtomically(tenantsFile, example);
            String key = new TenantFileEditor(licences).createKey(tenantsFile, FIRST_TENANT, "first key (bootstrap)");
            writeSecret(firstKeyFile, key + "\n");
            return Optional.of(firstKeyFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + tenantsFile + " from " + exampleFile, e);
        }
    }

    /** Writes a file readable by its owner only (0600 where the file system has POSIX permissions). */
    static void writeSecret(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.deleteIfExists(file);
        try {
            // created with 0600 from the start, so there is no moment when it is world-readable
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("someone created " + file + " concurrently", e);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
