package dev.warden.guard.embedded.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the parts of an ONNX model file that encoder fine-tuning needs, straight from the protobuf wire format
 * (ModelProto.graph = 7; GraphProto.node = 1, initializer = 5; NodeProto input = 1, name = 3, op_type = 4;
 * TensorProto dims = 1, data_type = 2, float_data = 4, name = 8, raw_data = 9): the float initializers by name and,
 * for each MatMul node, the initializer it multiplies by. all-MiniLM-L6-v2's export names its biases and LayerNorm
 * parameters after the BERT parameters, but its MatMul weights are anonymous ({@code onnx::MatMul_852}) and stored
 * as [in, out] (transposed against PyTorch's Linear): the MatMul node's name ({@code
 * /encoder/layer.5/attention/self/query/MatMul}) is what says which weight it is.
 */
final class OnnxModelFile {

    record Tensor(String name, long[] dims, int dataType, float[] values) {}

    final Map<String, Tensor> floats = new LinkedHashMap<>();
    /** MatMul node name to the initializer it multiplies by (the other input is an activation). */
    final Map<String, String> matMulWeights = new LinkedHashMap<>();

    OnnxModelFile(byte[] model) {
        ByteBuffer graph = null;
        for (Field f : fields(ByteBuffer.wrap(model))) {
            if (f.number == 7) {
                graph = f.bytes;
            }
        }
        if (graph == null) {
            throw new IllegalArgumentException("not an ONNX model: no graph");
        }
        List<String[]> matMuls = new ArrayList<>();
        for (Field f : fields(graph)) {
            if (f.number == 5) {
                Tensor t = tensor(f.bytes);
                if (t != null) {
                    floats.put(t.name(), t);
                }
            } else if (f.number == 1) {
                List<String> inputs = new ArrayList<>();
                String name = "";
                String op = "";
                for (Field n : fields(f.bytes)) {
                    switch (n.number) {
                        case 1 -> inputs.add(n.string());
                        case 3 -> name = n.string();
                        case 4 -> op = n.string();
                        default -> {}
                    }
                }
                if (op.equals("MatMul") && inputs.size() == 2) {
                    matMuls.add(new String[] {name, inputs.get(0), inputs.get(1)});
                }
            }
        }
        for (String[] m : matMuls) {
            if (floats.containsKey(m[2])) {
                matMulWeights.put(m[0], m[2]);
            } else if (floats.containsKey(m[1])) {
                matMulWeights.put(m[0], m[1]);
            }
        }
    }

    /** A float tensor (data type 1), or null for other types. */
    private static Tensor tensor(ByteBuffer b) {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        ByteBuffer raw = null;
        List<Float> floatData = new ArrayList<>();
        for (Field f : fields(b)) {
            switch (f.number) {
                case 1 -> {
                    if (f.bytes == null) {
                        dims.add(f.varint);
                    } else {
                        while (f.bytes.hasRemaining()) {
                            dims.add(varint(f.bytes));
                        }
                    }
                }
                case 2 -> type = (int) f.varint;
                case 4 -> {
                    if (f.bytes != null) {
                        ByteBuffer p = f.bytes.order(ByteOrder.LITTLE_ENDIAN);
                        while (p.remaining() >= 4) {
                            floatData.add(p.getFloat());
                        }
                    } else {
                        floatData.add(Float.intBitsToFloat((int) f.varint));
                    }
                }
                case 8 -> name = f.string();
                case 9 -> raw = f.bytes;
                default -> {}
            }
        }
        if (type != 1) {
            return null;
        }
        float[] values;
        if (raw != null && raw.remaining() > 0) {
            values = new float[raw.remaining() / 4];
            raw.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
            values = new float[floatData.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = floatData.get(i);
            }
        }
        return new Tensor(name, dims.stream().mapToLong(Long::longValue).toArray(), type, values);
    }

    private record Field(int number, long varint, ByteBuffer bytes) {
        String string() {
            byte[] a = new byte[bytes.remaining()];
            bytes.duplicate().get(a);
            return new String(a, StandardCharsets.UTF_8);
        }
    }

    private static List<Field> fields(ByteBuffer in) {
        ByteBuffer b = in.duplicate();
        List<Field> out = new ArrayList<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            int number = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (wire) {
                case 0 -> out.add(new Field(number, varint(b), null));
                case 1 -> {
                    out.add(new Field(number, b.order(ByteOrder.LITTLE_ENDIAN).getLong(), null));
                    b.order(ByteOrder.BIG_ENDIAN);
                }
                case 5 -> {
                    out.add(new Field(number, b.order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL, null));
                    b.order(ByteOrder.BIG_ENDIAN);
                }
                case 2 -> {
                    int length = (int) varint(b);
                    ByteBuffer slice = b.slice();
                    slice.limit(length);
                    b.position(b.position() + length);
                    out.add(new Field(number, 0, slice));
                }
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wire);
            }
        }
        return out;
    }

    private static long varint(ByteBuffer b) {
        long result = 0;
        int shift = 0;
        while (true) {
            byte c = b.get();
            result |= (long) (c & 0x7f) << shift;
            if ((c & 0x80) == 0) {
                return result;
            }
            shift += 7;
        }
    }
}
