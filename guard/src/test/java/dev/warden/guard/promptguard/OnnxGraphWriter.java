package dev.warden.guard.promptguard;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes the few ONNX protobuf messages a small model needs (field numbers from onnx.proto), by hand, so tests can
 * make real ONNX models without Python. Each method returns an encoded message; nest them with {@link #message}.
 */
final class OnnxGraphWriter {

    static final int FLOAT = 1;
    static final int INT64 = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    byte[] bytes() {
        return out.toByteArray();
    }

    OnnxGraphWriter varint(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    OnnxGraphWriter string(int field, String value) {
        return message(field, value.getBytes(StandardCharsets.UTF_8));
    }

    OnnxGraphWriter message(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    // --- ONNX messages ---

    /** ModelProto: ir_version 7, opset 13 of the default domain. */
    static byte[] model(byte[] graph) {
        byte[] opset = new OnnxGraphWriter().string(1, "").varint(2, 13).bytes();
        return new OnnxGraphWriter()
                .varint(1, 7)
                .string(2, "warden-test")
                .message(7, graph)
                .message(8, opset)
                .bytes();
    }

    /** ValueInfoProto of a tensor whose dims are symbolic names or fixed sizes. */
    static byte[] tensorValue(String name, int elemType, Object... dims) {
        OnnxGraphWriter shape = new OnnxGraphWriter();
        for (Object dim : dims) {
            OnnxGraphWriter d = new OnnxGraphWriter();
            if (dim instanceof String symbol) {
                d.string(2, symbol);
            } else {
                d.varint(1, ((Number) dim).longValue());
            }
            shape.message(1, d.bytes());
        }
        byte[] tensorType = new OnnxGraphWriter()
                .varint(1, elemType)
                .message(2, shape.bytes())
                .bytes();
        byte[] type = new OnnxGraphWriter().message(1, tensorType).bytes();
        return new OnnxGraphWriter().string(1, name).message(2, type).bytes();
    }

    static byte[] floatTensor(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        return tensor(name, FLOAT, raw.array(), dims);
    }

    static byte[] int64Tensor(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        return tensor(name, INT64, raw.array(), dims);
    }

    private static byte[] tensor(String name, int dataType, byte[] raw, long... dims) {
        OnnxGraphWriter t = new OnnxGraphWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).string(8, name).message(9, raw).bytes();
    }

    /** NodeProto; attributes are pre-encoded AttributeProtos. */
    static byte[] node(String opType, String[] inputs, String[] outputs, byte[]... attributes) {
        OnnxGraphWriter n = new OnnxGraphWriter();
        for (String in : inputs) {
            n.string(1, in);
        }
        for (String o : outputs) {
            n.string(2, o);
        }
        n.string(3, opType + "_" + outputs[0]).string(4, opType);
        for (byte[] a : attributes) {
            n.message(5, a);
        }
        return n.bytes();
    }

    static byte[] intAttribute(String name, long value) {
        return new OnnxGraphWriter()
                .string(1, name)
                .varint(3, value)
                .varint(20, 2)
                .bytes();
    }

    static byte[] intsAttribute(String name, long... values) {
        OnnxGraphWriter a = new OnnxGraphWriter().string(1, name);
        for (long v : values) {
            a.varint(8, v);
        }
        return a.varint(20, 7).bytes();
    }

    /** GraphProto from encoded parts. */
    static byte[] graph(String name, byte[][] nodes, byte[][] initializers, byte[][] inputs, byte[][] outputs) {
        OnnxGraphWriter g = new OnnxGraphWriter();
        for (byte[] n : nodes) {
            g.message(1, n);
        }
        g.string(2, name);
        for (byte[] i : initializers) {
            g.message(5, i);
        }
        for (byte[] i : inputs) {
            g.message(11, i);
        }
        for (byte[] o : outputs) {
            g.message(12, o);
        }
        return g.bytes();
    }
}
