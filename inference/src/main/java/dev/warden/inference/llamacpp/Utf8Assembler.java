package dev.warden.inference.llamacpp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Joins token bytes into text, holding back a character split across tokens until it is complete. */
final class Utf8Assembler {

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    String append(byte[] bytes) {
        pending.writeBytes(bytes);
        byte[] all = pending.toByteArray();
        int complete = completePrefix(all);
        pending.reset();
        pending.write(all, complete, all.length - complete);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is left at the end (an invalid tail becomes U+FFFD). */
    String flush() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    private static int completePrefix(byte[] b) {
        for (int back = 1; back <= Math.min(3, b.length); back++) {
            int lead = b[b.length - back] & 0xff;
            if ((lead & 0xC0) == 0x80) {
                continue;
            }
            int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return length > back ? b.length - back : b.length;
        }
        return b.length;
    }
}
