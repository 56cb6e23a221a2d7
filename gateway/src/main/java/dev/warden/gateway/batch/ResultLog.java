package dev.warden.gateway.batch;

import dev.warden.gateway.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * A batch's results as they are made: one JSON line per finished request, appended and forced to disk before the
 * line counts as done. The line is the only record that a request was processed, so after a kill -9 the batch
 * resumes with exactly the requests that have no line here. A line torn by the kill (no final newline) is cut off
 * on opening: its request was not done.
 */
final class ResultLog implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final Set<String> customIds = new HashSet<>();
    private long lines;

    ResultLog(Path file) {
        this.file = file;
        try {
            PrivateFiles.ownerOnly(file);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open batch results " + file.getFileName(), e);
        }
    }

    private void recover() throws IOException {
        byte[] all = Files.readAllBytes(file);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--;
        }
        if (end < all.length) {
            channel.truncate(end);
            channel.force(true);
        }
        int start = 0;
        for (int i = 0; i < end; i++) {
            if (all[i] == '\n') {
                String line = new String(all, start, i - start, StandardCharsets.UTF_8);
                customIds.add(StoredFile.JSON.readTree(line).get("custom_id").asString());
                lines++;
                start = i + 1;
            }
        }
        channel.position(end);
    }

    synchronized boolean done(String customId) {
        return customIds.contains(customId);
    }

    synchronized long lines() {
        return lines;
    }

    synchronized void append(String customId, byte[] json) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(json.length + 1)
                    .put(json)
                    .put((byte) '\n')
                    .flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
            customIds.add(customId);
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to batch results " + file.getFileName(), e);
        }
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was pending: every append was forced
        }
    }
}
