package dev.warden.inference.llamacpp;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Scalar metadata read from a GGUF header (arrays such as the vocabulary are skipped). The engine needs the
 * trained context length before it loads the model, to size llama.cpp's context per slot.
 */
public final class GgufMetadata {

    private final Map<String, Object> values;

    private GgufMetadata(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    public static GgufMetadata read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            LittleEndian r = new LittleEndian(new DataInputStream(in));
            if (r.u32() != 0x46554747) {
                throw new IOException(file + " is not a GGUF file");
            }
            long version = r.u32();
            if (version < 2) {
                throw new IOException(file + ": GGUF version " + version + " is not supported");
            }
            r.u64(); // tensor count
            long kvCount = r.u64();
            Map<String, Object> values = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = r.string();
                Object value = r.value((int) r.u32());
                if (value != null) {
                    values.put(key, value);
                }
            }
            return new GgufMetadata(values);
        }
    }

    public Optional<String> string(String key) {
        return values.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    public Optional<Long> integer(String key) {
        return values.get(key) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
    }

    public String architecture() {
        return string("general.architecture").orElse("");
    }

    /** The context length the model was trained with, 0 if the file does not say. */
    public int contextLength() {
        return integer(architecture() + ".context_length").map(Long::intValue).orElse(0);
    }

    private record LittleEndian(DataInputStream in) {

        long u32() throws IOException {
            return Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        }

        long u64() throws IOException {
            return Long.reverseBytes(in.readLong());
        }

        String string() throws IOException {
            long n = u64();
            if (n > Integer.MAX_VALUE) {
                throw new IOException("string of " + n + " bytes");
            }
            return new String(in.readNBytes((int) n), StandardCharsets.UTF_8);
        }

        /** Reads one value of GGUF type {@code type}; arrays are skipped and give null. */
        Object value(int type) throws IOException {
            switch (type) {
                case 0, 1 -> {
                    return (long) in.readByte();
                }
                case 2, 3 -> {
                    return (long) Short.reverseBytes(in.readShort());
                }
                case 4 -> {
                    return u32();
                }
                case 5 -> {
                    return (long) Integer.reverseBytes(in.readInt());
                }
                case 6 -> {
                    return (double) Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
                }
                case 7 -> {
                    return in.readByte() != 0;
                }
                case 8 -> {
                    return string();
                }
                case 9 -> {
                    int elementType = (int) u32();
                    long n = u64();
                    for (long i = 0; i < n; i++) {
                        value(elementType);
                    }
                    return null;
                }
                case 10, 11 -> {
                    return u64();
                }
                case 12 -> {
                    return Double.longBitsToDouble(u64());
                }
                default -> throw new EOFException("unknown GGUF value type " + type);
            }
        }
    }
}
