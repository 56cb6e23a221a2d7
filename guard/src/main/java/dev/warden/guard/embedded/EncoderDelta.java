package dev.warden.guard.embedded;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tuned tensors of the MiniLM encoder that replace initializers of the shipped ONNX graph by name (ONNX
 * Runtime's {@code SessionOptions.addInitializer}), so a fine-tuned encoder is served by the same ONNX Runtime
 * session type and graph, and only the tensors that changed are stored (the top layers, int8 like the graph's own
 * MatMul weights). Written by the fine-tuning command ({@code FineTuneEncoder}, see TRAINING.md).
 * <p>
 * Format: the magic line {@code warden-encoder-delta-1\n}, the base model's name (UTF), the tensor count, then per
 * tensor its initializer name (UTF), type (1 = float32, 3 = int8, ONNX's codes), rank, dimensions and values
 * (big-endian). A file that does not parse, names a base model other than the one loaded, or holds a tensor whose
 * size does not match its dimensions fails with an {@link IllegalStateException} naming the file.
 */
public final class EncoderDelta {

    static final String MAGIC = "warden-encoder-delta-1\n";
    public static final int FLOAT32 = 1;
    public static final int INT8 = 3;

    public record Tensor(String name, int type, long[] dims, float[] floats, byte[] bytes) {
        long size() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final String base;
    private final List<Tensor> tensors;
    private final String id;

    public EncoderDelta(String base, List<Tensor> tensors, String id) {
        this.base = base;
        this.tensors = List.copyOf(tensors);
        this.id = id;
    }

    /** The base model these tensors belong to (the ONNX resource name without its path and extension). */
    public String base() {
        return base;
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    /** First 12 hex digits of the file's SHA-256: names the fine-tuned encoder in versions and head files. */
    public String id() {
        return id;
    }

    /** Parses a delta file; {@code source} names it in errors. */
    public static EncoderDelta read(byte[] file, String source) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(file))) {
            byte[] magic = new byte[MAGIC.length()];
            in.readFully(magic);
            if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IllegalStateException("encoder delta " + source + " is not a warden encoder delta file");
            }
            String base = in.readUTF();
            int count = in.readInt();
            if (count < 0 || count > 10_000) {
                throw new IllegalStateException("encoder delta " + source + " has a bad tensor count " + count);
            }
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int type = in.readByte();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new IllegalStateException(
                            "encoder delta " + source + ": tensor " + name + " has rank " + rank);
                }
                long[] dims = new long[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    dims[d] = in.readLong();
                    if (dims[d] < 0 || dims[d] > 1 << 24) {
                        throw new IllegalStateException(
                                "encoder delta " + source + ": tensor " + name + " has a bad dimension");
                    }
                    size *= dims[d];
                }
                if (size > 1 << 24) {
                    throw new IllegalStateException("encoder delta " + source + ": tensor " + name + " is too large");
                }
                if (type == FLOAT32) {
                    float[] v = new float[(int) size];
                    for (int k = 0; k < v.length; k++) {
                        v[k] = in.readFloat();
                        if (!Float.isFinite(v[k])) {
                            throw new IllegalStateException(
                                    "encoder delta " + source + ": tensor " + name + " holds a non-finite value");
                        }
                    }
                    tensors.add(new Tensor(name, type, dims, v, null));
                } else if (type == INT8) {
                    byte[] v = new byte[(int) size];
                    in.readFully(v);
                    tensors.add(new Tensor(name, type, dims, null, v));
                } else {
                    throw new IllegalStateException(
                            "encoder delta " + source + ": tensor " + name + " has unsupported type " + type);
                }
            }
            if (in.read() != -1) {
                throw new IllegalStateException("encoder delta " + source + " has trailing bytes");
            }
            return new EncoderDelta(base, tensors, digest(file));
        } catch (IOException e) {
            throw new IllegalStateException("encoder delta " + source + " is truncated or unreadable", e);
        }
    }

    /** Writes the file format {@link #read} parses. */
    public static void write(String base, List<Tensor> tensors, OutputStream target) throws IOException {
        DataOutputStream out = new DataOutputStream(target);
        out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        out.writeUTF(base);
        out.writeInt(tensors.size());
        for (Tensor t : tensors) {
            out.writeUTF(t.name());
            out.writeByte(t.type());
            out.writeInt(t.dims().length);
            for (long d : t.dims()) {
                out.writeLong(d);
            }
            if (t.type() == FLOAT32) {
                for (float v : t.floats()) {
                    out.writeFloat(v);
                }
            } else {
                out.write(t.bytes());
            }
        }
        out.flush();
    }

    /**
     * ONNX tensors to register as initializers; the caller closes them after the session (ONNX Runtime reads them
     * for as long as the session lives).
     */
    Map<String, OnnxTensor> onnxTensors(OrtEnvironment environment, String source) {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        try {
            for (Tensor t : tensors) {
                if ((t.type() == FLOAT32 ? t.floats().length : t.bytes().length) != t.size()) {
                    throw new IllegalStateException(
                            "encoder delta " + source + ": tensor " + t.name() + " does not match its dimensions");
                }
                OnnxTensor tensor = t.type() == FLOAT32
                        ? OnnxTensor.createTensor(environment, FloatBuffer.wrap(t.floats()), t.dims())
                        : OnnxTensor.createTensor(
                                environment,
                                ByteBuffer.allocateDirect(t.bytes().length)
                                        .put(t.bytes())
                                        .flip(),
                                t.dims(),
                                OnnxJavaType.INT8);
                out.put(t.name(), tensor);
            }
            return out;
        } catch (OrtException e) {
            out.values().forEach(OnnxTensor::close);
            throw new IllegalStateException("encoder delta " + source + " cannot be loaded", e);
        }
    }

    private static String digest(byte[] file) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(file))
                    .substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
