package dev.warden.inference.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: metadata key/values, then F32 tensors. Only the value types a tiny Llama needs.
 * Layout per ggml's gguf.cpp: header, KVs, tensor infos, padding to {@link #ALIGNMENT}, then the tensor data with
 * each tensor's offset (relative to the data section) aligned as well.
 */
final class GgufWriter {

    static final int ALIGNMENT = 32;

    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_INT32 = 5;
    private static final int TYPE_FLOAT32 = 6;
    private static final int TYPE_BOOL = 7;
    private static final int TYPE_STRING = 8;
    private static final int TYPE_ARRAY = 9;
    private static final int GGML_TYPE_F32 = 0;

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    /** A tensor with dims in ggml order: {@code dims[0]} is the contiguous (input) dimension. */
    private record Tensor(String name, long[] dims, float[] data) {}

    /** Marks an int metadata value that must be written as uint32 rather than int32. */
    record UInt32(long value) {}

    GgufWriter put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    GgufWriter tensor(String name, float[] data, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for dims " + n);
        }
        tensors.add(new Tensor(name, dims, data));
        return this;
    }

    byte[] toBytes() {
        Out out = new Out();
        out.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.u32(3);
        out.u64(tensors.size());
        out.u64(metadata.size());
        metadata.forEach((key, value) -> {
            out.string(key);
            writeValue(out, value);
        });
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name);
            out.u32(t.dims.length);
            for (long d : t.dims) {
                out.u64(d);
            }
            out.u32(GGML_TYPE_F32);
            out.u64(offset);
            offset = align(offset + 4L * t.data.length);
        }
        out.pad();
        for (Tensor t : tensors) {
            ByteBuffer buf = ByteBuffer.allocate(4 * t.data.length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(t.data);
            out.bytes(buf.array());
            out.pad();
        }
        return out.toByteArray();
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(Out out, Object value) {
        if (value instanceof String s) {
            out.u32(TYPE_STRING);
            out.string(s);
        } else if (value instanceof UInt32 u) {
            out.u32(TYPE_UINT32);
            out.u32(u.value);
        } else if (value instanceof Integer i) {
            out.u32(TYPE_INT32);
            out.u32(i);
        } else if (value instanceof Float f) {
            out.u32(TYPE_FLOAT32);
            out.u32(Float.floatToIntBits(f));
        } else if (value instanceof Boolean b) {
            out.u32(TYPE_BOOL);
            out.bytes(new byte[] {(byte) (b ? 1 : 0)});
        } else if (value instanceof String[] strings) {
            out.u32(TYPE_ARRAY);
            out.u32(TYPE_STRING);
            out.u64(strings.length);
            for (String s : strings) {
                out.string(s);
            }
        } else if (value instanceof int[] ints) {
            out.u32(TYPE_ARRAY);
            out.u32(TYPE_INT32);
            out.u64(ints.length);
            for (int i : ints) {
                out.u32(i);
            }
        } else {
            throw new IllegalArgumentException("unsupported GGUF value " + value.getClass());
        }
    }

    private static final class Out extends ByteArrayOutputStream {

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void u32(long v) {
            for (int i = 0; i < 4; i++) {
                write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        void u64(long v) {
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void pad() {
            while (count % ALIGNMENT != 0) {
                write(0);
            }
        }
    }
}
