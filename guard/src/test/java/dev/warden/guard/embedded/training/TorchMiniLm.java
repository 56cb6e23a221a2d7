package dev.warden.guard.embedded.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 (BERT: 6 layers, hidden 384, 12 heads, GELU, LayerNorm eps 1e-12) written out on DJL NDArrays,
 * with its parameters taken from the fp32 ONNX export, so that the top layers can be trained with DJL's PyTorch
 * engine and written back into the ONNX graph. Parameters carry their BERT names; each linear weight is kept in the
 * ONNX layout [in, out] (x · W), and {@link #onnxName} gives the initializer it came from.
 */
final class TorchMiniLm {

    static final int LAYERS = 6;
    static final int HIDDEN = 384;
    static final int HEADS = 12;
    static final float LN_EPS = 1e-12f;
    static final String[] LINEARS = {
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense"
    };
    private static final String[] MATMUL_NODES = {
        "attention/self/query",
        "attention/self/key",
        "attention/self/value",
        "attention/output/dense",
        "intermediate/dense",
        "output/dense"
    };

    final Map<String, NDArray> parameters = new LinkedHashMap<>();
    /** BERT name of a linear weight to the ONNX initializer name it replaces. */
    final Map<String, String> onnxNames = new LinkedHashMap<>();

    TorchMiniLm(OnnxModelFile onnx, NDManager manager) {
        for (OnnxModelFile.Tensor t : onnx.floats.values()) {
            if (t.name().startsWith("embeddings.") || t.name().startsWith("encoder.layer.")) {
                parameters.put(t.name(), manager.create(t.values(), new Shape(t.dims())));
            }
        }
        for (int l = 0; l < LAYERS; l++) {
            for (int k = 0; k < LINEARS.length; k++) {
                String node = "/encoder/layer." + l + "/" + MATMUL_NODES[k] + "/MatMul";
                String init = onnx.matMulWeights.get(node);
                if (init == null) {
                    throw new IllegalStateException("ONNX graph has no MatMul node " + node);
                }
                String name = "encoder.layer." + l + "." + LINEARS[k] + ".weight";
                parameters.put(
                        name,
                        manager.create(
                                onnx.floats.get(init).values(),
                                new Shape(onnx.floats.get(init).dims())));
                onnxNames.put(name, init);
            }
        }
    }

    /** The ONNX initializer a parameter replaces: its own name, or the anonymous MatMul weight's. */
    String onnxName(String parameter) {
        return onnxNames.getOrDefault(parameter, parameter);
    }

    /** Parameters of layers {@code from} .. 5. */
    List<String> layerParameters(int from) {
        List<String> out = new ArrayList<>();
        for (String name : parameters.keySet()) {
            if (name.startsWith("encoder.layer.") && Integer.parseInt(name.split("\\.")[2]) >= from) {
                out.add(name);
            }
        }
        return out;
    }

    /** Hidden states after the embeddings and layers [0, upTo): [batch, length, 384]. */
    NDArray bottom(NDArray ids, NDArray mask, int upTo) {
        NDArray x = embeddings(ids);
        NDArray additive = additiveMask(mask);
        for (int l = 0; l < upTo; l++) {
            x = layer(x, additive, l);
        }
        return x;
    }

    /** Layers [from, 6) on hidden states, then the mean over the mask, L2-normalised: [batch, 384]. */
    NDArray top(NDArray hidden, NDArray mask, int from) {
        NDArray x = hidden;
        NDArray additive = additiveMask(mask);
        for (int l = from; l < LAYERS; l++) {
            x = layer(x, additive, l);
        }
        NDArray m = mask.toType(DataType.FLOAT32, false).expandDims(2);
        NDArray pooled = x.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}));
        NDArray norm = pooled.square().sum(new int[] {1}, true).sqrt().maximum(1e-12f);
        return pooled.div(norm);
    }

    private NDArray embeddings(NDArray ids) {
        long batch = ids.getShape().get(0);
        long length = ids.getShape().get(1);
        NDArray words = p("embeddings.word_embeddings.weight")
                .get(new NDIndex("{}", ids.flatten()))
                .reshape(batch, length, HIDDEN);
        NDArray positions = p("embeddings.position_embeddings.weight").get(new NDIndex("0:{}", length));
        NDArray type = p("embeddings.token_type_embeddings.weight").get(0);
        // slices of the parameters belong to the parameters' manager: move them to the batch's, which is closed
        // after the step
        for (NDArray a : new NDArray[] {words, positions, type}) {
            a.attach(ids.getManager());
        }
        NDArray x = words.add(positions).add(type);
        return layerNorm(x, "embeddings.LayerNorm");
    }

    private NDArray additiveMask(NDArray mask) {
        // [batch, 1, 1, length]: 0 where a token is, a large negative number on padding
        return mask.toType(DataType.FLOAT32, false)
                .sub(1f)
                .mul(1e4f)
                .expandDims(1)
                .expandDims(1);
    }

    private NDArray layer(NDArray x, NDArray additive, int l) {
        String pre = "encoder.layer." + l + ".";
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int headSize = HIDDEN / HEADS;
        NDArray q = heads(linear(x, pre + "attention.self.query"), batch, length, headSize);
        NDArray k = heads(linear(x, pre + "attention.self.key"), batch, length, headSize);
        NDArray v = heads(linear(x, pre + "attention.self.value"), batch, length, headSize);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2))
                .div((float) Math.sqrt(headSize))
                .add(additive);
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN);
        NDArray attended =
                layerNorm(x.add(linear(context, pre + "attention.output.dense")), pre + "attention.output.LayerNorm");
        NDArray inner = Activation.gelu(linear(attended, pre + "intermediate.dense"));
        return layerNorm(attended.add(linear(inner, pre + "output.dense")), pre + "output.LayerNorm");
    }

    private static NDArray heads(NDArray x, long batch, long length, int headSize) {
        return x.reshape(batch, length, HEADS, headSize).transpose(0, 2, 1, 3);
    }

    private NDArray linear(NDArray x, String name) {
        return x.matMul(p(name + ".weight")).add(p(name + ".bias"));
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(HIDDEN), p(name + ".weight"), p(name + ".bias"), LN_EPS)
                .singletonOrThrow();
    }

    private NDArray p(String name) {
        NDArray a = parameters.get(name);
        if (a == null) {
            throw new IllegalStateException("missing MiniLM parameter " + name);
        }
        return a;
    }
}
