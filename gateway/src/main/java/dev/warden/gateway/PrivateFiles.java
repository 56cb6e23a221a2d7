package dev.warden.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only the gateway's user may read: the audit database (who asked what, when) and its spill file. Created
 * owner-only before anything writes them, whatever the umask; SQLite gives its -wal and -shm files the mode of
 * the database file, so they follow. On file systems without POSIX permissions nothing is changed.
 */
public final class PrivateFiles {

    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {}

    /** Creates {@code file} empty and owner-only when missing; narrows an existing file to owner-only. */
    public static void ownerOnly(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!posix(parent)) {
                return;
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException exists) {
                if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + file + " readable by its owner only", e);
        }
    }

    /** The local file behind an audit store location, or null for a server (PostgreSQL). */
    public static Path sqliteFile(String location) {
        for (String prefix : new String[] {"jdbc:sqlite:", "sqlite:"}) {
            if (location.startsWith(prefix)) {
                return Path.of(location.substring(prefix.length()));
            }
        }
        return location.startsWith("jdbc:") ? null : Path.of(location);
    }

    private static boolean posix(Path dir) {
        return dir != null
                && Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class) != null;
    }
}
