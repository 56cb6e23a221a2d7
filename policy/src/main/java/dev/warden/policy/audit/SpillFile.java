package dev.warden.policy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sealed entries that could not reach the store, as JSON lines, forced to disk before their futures complete.
 * Entries keep the sequence and hashes they were sealed with, so replaying them later extends the chain exactly
 * as a direct write would have. Only the {@link AuditLog} writer thread touches it.
 */
final class SpillFile implements AutoCloseable {

    private final Path path;
    private FileChannel channel;

    SpillFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    boolean pending() {
        try {
            return channel != null ? channel.size() > 0 : Files.isRegularFile(path) && Files.size(path) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Writes all lines then forces them to disk; on failure the file is cut back to where it was. */
    void append(List<ChainedEntry> entries) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (ChainedEntry e : entries) {
            Map<String, Object> line = new java.util.TreeMap<>(Map.of(
                    "tenant",
                    e.tenant(),
                    "instance",
                    e.instance(),
                    "seq",
                    e.seq(),
                    "prevHash",
                    e.prevHash(),
                    "hash",
                    e.hash(),
                    "body",
                    e.body()));
            if (e.detachedContent() != null) {
                line.put("content", e.detachedContent());
            }
            lines.append(CanonicalJson.write(line)).append('\n');
        }
        FileChannel ch = channel();
        long before = ch.size();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            ch.position(before);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            // Metadata too: the file's new length is what makes the appended lines readable after a crash.
            ch.force(true);
        } catch (IOException e) {
            try {
                ch.truncate(before);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Every complete line. A last line without its newline was being written when the process died; its
     * futures never completed, so it is ignored. Lines without an instance were spilled before chains were per
     * instance: they continue the {@link ChainId#LEGACY_INSTANCE} chains, like the rows the V2 migration kept.
     */
    List<ChainedEntry> readAll() throws IOException {
        List<ChainedEntry> entries = new ArrayList<>();
        if (!Files.isRegularFile(path)) {
            return entries;
        }
        String text = Files.readString(path, StandardCharsets.UTF_8);
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; start = nl + 1, nl = text.indexOf('\n', start)) {
            String line = text.substring(start, nl);
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> m = CanonicalJson.read(line);
            String instance = m.get("instance") instanceof String s ? s : ChainId.LEGACY_INSTANCE;
            entries.add(ChainedEntry.stored(
                    (String) m.get("tenant"),
                    instance,
                    ((Number) m.get("seq")).longValue(),
                    (String) m.get("prevHash"),
                    (String) m.get("hash"),
                    (String) m.get("body"),
                    (String) m.get("content")));
        }
        return entries;
    }

    void clear() throws IOException {
        FileChannel ch = channel();
        ch.truncate(0);
        ch.force(true);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
