package dev.warden.inference.remote;

import dev.warden.inference.InferenceException;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a byte stream of server-sent events into the {@code data} of each event. Works on bytes and decodes whole
 * lines, because network buffers may split a multi-byte UTF-8 character. Only {@code data:} fields matter for
 * OpenAI streams; comments, {@code event:}, {@code id:} and {@code retry:} are skipped. One instance per stream.
 */
final class SseEventDecoder {

    /** An upstream that never sends a newline must not make us buffer without bound. */
    private static final int MAX_LINE = 8 * 1024 * 1024;

    private byte[] line = new byte[512];
    private int length;
    private String data;

    /** The data of every event the buffer completes, in order; reads the buffer without releasing it. */
    List<String> feed(ByteBuf buf) {
        List<String> events = null;
        int from = buf.readerIndex();
        int end = buf.writerIndex();
        while (from < end) {
            int lf = buf.indexOf(from, end, (byte) '\n');
            if (lf < 0) {
                append(buf, from, end - from);
                break;
            }
            append(buf, from, lf - from);
            String event = endLine();
            if (event != null) {
                if (events == null) {
                    events = new ArrayList<>(2);
                }
                events.add(event);
            }
            from = lf + 1;
        }
        return events == null ? List.of() : events;
    }

    /** The data of a last event that the stream ended without the blank line after it, if any. */
    List<String> finish() {
        String event = null;
        if (length > 0) {
            event = endLine();
        }
        if (event == null && data != null) {
            event = data;
            data = null;
        }
        return event == null ? List.of() : List.of(event);
    }

    private void append(ByteBuf buf, int from, int count) {
        if (count == 0) {
            return;
        }
        if (length + count > line.length) {
            if (length + count > MAX_LINE) {
                throw new InferenceException(
                        InferenceException.Kind.UPSTREAM_ERROR,
                        "upstream sent an SSE line longer than " + MAX_LINE + " bytes");
            }
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        buf.getBytes(from, line, length, count);
        length += count;
    }

    private String endLine() {
        int len = length;
        length = 0;
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        if (len == 0) {
            String event = data;
            data = null;
            return event;
        }
        if (len >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':') {
            int start = len > 5 && line[5] == ' ' ? 6 : 5;
            String value = new String(line, start, len - start, StandardCharsets.UTF_8);
            data = data == null ? value : data + "\n" + value;
        }
        return null;
    }
}
