package dev.warden.inference.llamacpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prepares the ground before de.kherud:llama's classes load. Its LlamaLoader extracts libjllama.so into
 * {@code -Dde.kherud.llama.tmpdir} (default java.io.tmpdir) but does not create that directory, and its class
 * initialiser deletes files named llama* or jllama* there, so deployments point it at a private directory.
 */
public final class NativeLibrary {

    public static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";

    private NativeLibrary() {}

    /** Creates the extraction directory if it is configured and missing. Call before touching LlamaModel. */
    public static void prepare() {
        String dir = System.getProperty(TMPDIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            Files.createDirectories(Path.of(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + TMPDIR_PROPERTY + " directory " + dir, e);
        }
    }
}
