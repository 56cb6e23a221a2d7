package dev.warden.policy.siem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The SIEM stream's local backlog on disk, so that what was read from the audit store but not yet confirmed as
 * delivered survives a receiver outage and a restart. Two files under one directory:
 * {@code siem-backlog.log}, one syslog message per line, appended and forced to disk before the read position
 * moves; and {@code siem-state.properties}, replaced atomically, with the byte offset up to which messages are
 * confirmed delivered and, per chain, the last sequence number put into the backlog.
 * <p>
 * A crash between appending and saving the state re-reads those entries at the next start: they are sent twice,
 * never lost. Bounded by {@link #pendingBytes()}: the forwarder stops reading the store while the backlog is full,
 * so the store itself holds the rest and nothing is dropped.
 */
final class SyslogBacklog implements AutoCloseable {

    private final Path file;
    private final Path state;
    private final FileChannel channel;
    private final Map<String, Long> cursors = new TreeMap<>();
    private long confirmed;
    private final boolean fresh;

    SyslogBacklog(Path directory) {
        try {
            Files.createDirectories(directory);
            this.file = directory.resolve("siem-backlog.log");
            this.state = directory.resolve("siem-state.properties");
            this.fresh = !Files.exists(state);
            this.channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (!fresh) {
                Properties p = new Properties();
                try (var in = Files.newInputStream(state)) {
                    p.load(in);
                }
                confirmed = Math.min(Long.parseLong(p.getProperty("confirmed", "0")), channel.size());
                for (String name : p.stringPropertyNames()) {
                    if (name.startsWith("chain.")) {
                        cursors.put(name.substring("chain.".length()), Long.parseLong(p.getProperty(name)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the SIEM backlog in " + directory, e);
        }
    }

    /** True when there was no state yet: the stream starts at the chains' present heads, not their history. */
    boolean fresh() {
        return fresh;
    }

    /** The last seq of {@code chain} put into the backlog, or -1 when none was. */
    long cursor(String chain) {
        return cursors.getOrDefault(chain, -1L);
    }

    void cursor(String chain, long seq) {
        cursors.put(chain, seq);
    }

    /** Appends the messages, forces them to disk, then saves the cursors. */
    void append(List<String> messages) throws IOException {
        if (!messages.isEmpty()) {
            StringBuilder b = new StringBuilder();
            messages.forEach(m -> b.append(m).append('\n'));
            ByteBuffer bytes = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            long at = channel.size();
            while (bytes.hasRemaining()) {
                at += channel.write(bytes, at);
            }
            channel.force(false);
        }
        save();
    }

    /** Bytes not yet confirmed delivered. */
    long pendingBytes() throws IOException {
        return channel.size() - confirmed;
    }

    long confirmedOffset() {
        return confirmed;
    }

    /** Complete lines from byte {@code from} on, at most {@code max}; each with the offset just after it. */
    List<Message> read(long from, int max) throws IOException {
        List<Message> out = new ArrayList<>();
        long size = channel.size();
        long pos = from;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        while (pos < size && out.size() < max) {
            buf.clear();
            int n = channel.read(buf, pos);
            if (n <= 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining() && out.size() < max) {
                byte c = buf.get();
                pos++;
                if (c == '\n') {
                    out.add(new Message(line.toString(StandardCharsets.UTF_8), pos));
                    line.reset();
                } else {
                    line.write(c);
                }
            }
        }
        return out;
    }

    record Message(String text, long end) {}

    /** Everything up to {@code offset} reached the receiver; the file is emptied once all of it has. */
    void confirm(long offset) throws IOException {
        confirmed = Math.max(confirmed, offset);
        if (confirmed >= channel.size()) {
            channel.truncate(0);
            confirmed = 0;
        }
        save();
    }

    private void save() throws IOException {
        Properties p = new Properties();
        p.setProperty("confirmed", String.valueOf(confirmed));
        cursors.forEach((chain, seq) -> p.setProperty("chain." + chain, String.valueOf(seq)));
        Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
        try (var out = Files.newOutputStream(tmp)) {
            p.store(out, "Warden SIEM stream: confirmed backlog offset and last seq read per chain");
        }
        Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
