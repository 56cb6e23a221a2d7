package dev.warden.guard.embedded;

import java.util.List;

/**
 * A small feed-forward head over a sentence embedding: zero or more ReLU hidden layers, then a linear output
 * layer turned into probabilities by softmax (mutually exclusive classes) or a sigmoid per output. Immutable;
 * weights are row-major {@code [out][in]}.
 */
public record DenseHead(List<String> labels, Output output, List<Layer> layers) {

    public enum Output {
        SOFTMAX,
        SIGMOID
    }

    public record Layer(int in, int out, float[] weights, float[] bias) {
        public Layer {
            if (weights.length != in * out || bias.length != out) {
                throw new IllegalArgumentException("layer shape mismatch");
            }
        }

        double[] apply(double[] x, boolean relu) {
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                int row = o * in;
                for (int i = 0; i < in; i++) {
                    s += weights[row + i] * x[i];
                }
                y[o] = relu && s < 0 ? 0 : s;
            }
            return y;
        }
    }

    public DenseHead {
        labels = List.copyOf(labels);
        layers = List.copyOf(layers);
        if (layers.isEmpty() || layers.get(layers.size() - 1).out() != labels.size()) {
            throw new IllegalArgumentException("output layer must have one unit per label");
        }
    }

    /** Raw scores (logits) of the output layer. */
    public double[] logits(float[] embedding) {
        double[] x = new double[embedding.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = embedding[i];
        }
        for (int l = 0; l < layers.size(); l++) {
            x = layers.get(l).apply(x, l < layers.size() - 1);
        }
        return x;
    }

    public double[] probabilities(float[] embedding) {
        return activate(logits(embedding));
    }

    public double[] activate(double[] logits) {
        double[] p = new double[logits.length];
        if (output == Output.SIGMOID) {
            for (int i = 0; i < p.length; i++) {
                p[i] = sigmoid(logits[i]);
            }
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    public int indexOf(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("no label " + label);
        }
        return i;
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /**
     * Moves a probability so that the operating threshold chosen on validation data lands on 0.5: policy can
     * then use 0.5 for every embedded label. Monotone, so ranking metrics (AUPRC, ROC AUC) are unchanged.
     */
    public static double calibrate(double p, double threshold) {
        double eps = 1e-9;
        double pc = Math.min(1 - eps, Math.max(eps, p));
        double tc = Math.min(1 - eps, Math.max(eps, threshold));
        return sigmoid(Math.log(pc / (1 - pc)) - Math.log(tc / (1 - tc)));
    }
}
