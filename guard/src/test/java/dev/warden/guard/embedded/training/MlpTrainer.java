package dev.warden.guard.embedded.training;

import dev.warden.guard.embedded.DenseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains a softmax head (optionally with one ReLU hidden layer) with Adam on cross-entropy, with per-example
 * weights (class balance), L2 weight decay, a fixed seed and one thread, so a rerun gives the same weights. The
 * snapshot with the lowest weighted validation loss is kept.
 */
final class MlpTrainer {

    record Data(float[][] x, int[] y, double[] w) {}

    private final int hidden;
    private final int epochs;
    private final double learningRate;
    private final double weightDecay;
    private final long seed;

    MlpTrainer(int hidden, int epochs, double learningRate, double weightDecay, long seed) {
        this.hidden = hidden;
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.seed = seed;
    }

    /** Class weights n / (k * n_c), so every class carries the same total weight. */
    static double[] balancedWeights(int[] y, int classes) {
        int[] counts = new int[classes];
        for (int c : y) {
            counts[c]++;
        }
        double[] w = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            w[i] = y.length / (double) (classes * counts[y[i]]);
        }
        return w;
    }

    DenseHead train(List<String> labels, Data train, Data validation) {
        int in = train.x()[0].length;
        int k = labels.size();
        Random random = new Random(seed);
        List<double[][]> params = new ArrayList<>();
        int[][] shapes = hidden > 0 ? new int[][] {{hidden, in}, {k, hidden}} : new int[][] {{k, in}};
        for (int[] s : shapes) {
            double[][] w = new double[s[0]][s[1] + 1]; // last column = bias
            double scale = Math.sqrt(2.0 / s[1]);
            for (double[] row : w) {
                for (int j = 0; j < s[1]; j++) {
                    row[j] = random.nextGaussian() * scale * (hidden > 0 ? 1 : 0.1);
                }
            }
            params.add(w);
        }
        List<double[][]> m = zerosLike(params);
        List<double[][]> v = zerosLike(params);
        List<double[][]> best = copy(params);
        double bestLoss = Double.MAX_VALUE;
        int n = train.x().length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int batch = 64;
        long step = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int b = 0; b < n; b += batch) {
                List<double[][]> grads = zerosLike(params);
                double weightSum = 0;
                for (int q = b; q < Math.min(n, b + batch); q++) {
                    int idx = order[q];
                    backprop(params, grads, train.x()[idx], train.y()[idx], train.w()[idx]);
                    weightSum += train.w()[idx];
                }
                step++;
                adam(params, grads, m, v, weightSum, step);
            }
            double loss = loss(params, validation);
            if (loss < bestLoss) {
                bestLoss = loss;
                best = copy(params);
            }
            if (epoch % 10 == 9 || epoch == epochs - 1) {
                System.out.printf(
                        "    epoch %d: train loss %.4f, validation loss %.4f%n", epoch + 1, loss(params, train), loss);
            }
        }
        List<DenseHead.Layer> layers = new ArrayList<>();
        for (double[][] w : best) {
            int out = w.length;
            int inputs = w[0].length - 1;
            float[] weights = new float[out * inputs];
            float[] bias = new float[out];
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < inputs; j++) {
                    weights[o * inputs + j] = (float) w[o][j];
                }
                bias[o] = (float) w[o][inputs];
            }
            layers.add(new DenseHead.Layer(inputs, out, weights, bias));
        }
        return new DenseHead(labels, DenseHead.Output.SOFTMAX, layers);
    }

    /**
     * Trains one head per seed and returns their logit average as one head. Heads trained with different seeds
     * disagree most where the data say least, so the average ranks better than a typical one of them; it is the
     * same file format and the same serving code, only wider.
     */
    static DenseHead trainEnsemble(
            List<Long> seeds,
            int hidden,
            int epochs,
            double learningRate,
            double weightDecay,
            List<String> labels,
            Data train,
            Data validation) {
        List<DenseHead> heads = new ArrayList<>();
        for (long s : seeds) {
            heads.add(new MlpTrainer(hidden, epochs, learningRate, weightDecay, s).train(labels, train, validation));
        }
        return heads.size() == 1 ? heads.get(0) : averageOfLogits(heads);
    }

    /**
     * One head whose output logits are the mean of the given heads': linear heads average their weights; heads with
     * one hidden layer put their hidden units side by side and divide the output weights by their number.
     */
    static DenseHead averageOfLogits(List<DenseHead> heads) {
        DenseHead first = heads.get(0);
        int k = heads.size();
        int depth = first.layers().size();
        for (DenseHead h : heads) {
            if (h.layers().size() != depth || !h.labels().equals(first.labels()) || h.output() != first.output()) {
                throw new IllegalArgumentException("heads of different shapes cannot be averaged");
            }
        }
        if (depth > 2) {
            throw new IllegalArgumentException("only heads with at most one hidden layer can be averaged");
        }
        int outputs = first.labels().size();
        if (depth == 1) {
            int in = first.layers().get(0).in();
            float[] weights = new float[in * outputs];
            float[] bias = new float[outputs];
            for (DenseHead h : heads) {
                DenseHead.Layer l = h.layers().get(0);
                for (int i = 0; i < weights.length; i++) {
                    weights[i] += l.weights()[i] / k;
                }
                for (int o = 0; o < outputs; o++) {
                    bias[o] += l.bias()[o] / k;
                }
            }
            return new DenseHead(
                    first.labels(), first.output(), List.of(new DenseHead.Layer(in, outputs, weights, bias)));
        }
        int in = first.layers().get(0).in();
        int hidden = heads.stream().mapToInt(h -> h.layers().get(0).out()).sum();
        float[] hiddenWeights = new float[hidden * in];
        float[] hiddenBias = new float[hidden];
        float[] outWeights = new float[outputs * hidden];
        float[] outBias = new float[outputs];
        int offset = 0;
        for (DenseHead h : heads) {
            DenseHead.Layer a = h.layers().get(0);
            DenseHead.Layer b = h.layers().get(1);
            // rows of the hidden layer are [out][in]: one head's rows follow the previous head's
            System.arraycopy(a.weights(), 0, hiddenWeights, offset * in, a.weights().length);
            System.arraycopy(a.bias(), 0, hiddenBias, offset, a.out());
            for (int o = 0; o < outputs; o++) {
                for (int j = 0; j < a.out(); j++) {
                    outWeights[o * hidden + offset + j] = b.weights()[o * a.out() + j] / k;
                }
                outBias[o] += b.bias()[o] / k;
            }
            offset += a.out();
        }
        return new DenseHead(
                first.labels(),
                first.output(),
                List.of(
                        new DenseHead.Layer(in, hidden, hiddenWeights, hiddenBias),
                        new DenseHead.Layer(hidden, outputs, outWeights, outBias)));
    }

    /** A 2-class softmax head as the equivalent single sigmoid output for the positive class (index 1). */
    static DenseHead toSigmoid(DenseHead twoClass, String label) {
        List<DenseHead.Layer> layers = new ArrayList<>(twoClass.layers());
        DenseHead.Layer last = layers.remove(layers.size() - 1);
        float[] w = new float[last.in()];
        for (int j = 0; j < last.in(); j++) {
            w[j] = last.weights()[last.in() + j] - last.weights()[j];
        }
        layers.add(new DenseHead.Layer(last.in(), 1, w, new float[] {last.bias()[1] - last.bias()[0]}));
        return new DenseHead(List.of(label), DenseHead.Output.SIGMOID, layers);
    }

    private static double[][] forward(List<double[][]> params, float[] x) {
        double[][] acts = new double[params.size() + 1][];
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = x[i];
        }
        acts[0] = a;
        for (int l = 0; l < params.size(); l++) {
            double[][] w = params.get(l);
            int inputs = w[0].length - 1;
            double[] z = new double[w.length];
            for (int o = 0; o < w.length; o++) {
                double s = w[o][inputs];
                for (int j = 0; j < inputs; j++) {
                    s += w[o][j] * a[j];
                }
                z[o] = l < params.size() - 1 ? Math.max(0, s) : s;
            }
            a = z;
            acts[l + 1] = a;
        }
        return acts;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static void backprop(List<double[][]> params, List<double[][]> grads, float[] x, int y, double weight) {
        double[][] acts = forward(params, x);
        double[] delta = softmax(acts[acts.length - 1]);
        delta[y] -= 1;
        for (int i = 0; i < delta.length; i++) {
            delta[i] *= weight;
        }
        for (int l = params.size() - 1; l >= 0; l--) {
            double[][] w = params.get(l);
            double[][] g = grads.get(l);
            double[] a = acts[l];
            int inputs = w[0].length - 1;
            double[] prev = new double[inputs];
            for (int o = 0; o < w.length; o++) {
                double d = delta[o];
                if (d == 0) {
                    continue;
                }
                for (int j = 0; j < inputs; j++) {
                    g[o][j] += d * a[j];
                    prev[j] += d * w[o][j];
                }
                g[o][inputs] += d;
            }
            if (l > 0) {
                for (int j = 0; j < inputs; j++) {
                    if (a[j] <= 0) {
                        prev[j] = 0;
                    }
                }
            }
            delta = prev;
        }
    }

    private void adam(
            List<double[][]> params,
            List<double[][]> grads,
            List<double[][]> m,
            List<double[][]> v,
            double weightSum,
            long step) {
        double b1 = 0.9;
        double b2 = 0.999;
        double c1 = 1 - Math.pow(b1, step);
        double c2 = 1 - Math.pow(b2, step);
        for (int l = 0; l < params.size(); l++) {
            double[][] w = params.get(l);
            for (int o = 0; o < w.length; o++) {
                int inputs = w[o].length - 1;
                for (int j = 0; j <= inputs; j++) {
                    double g = grads.get(l)[o][j] / weightSum + (j < inputs ? weightDecay * w[o][j] : 0);
                    m.get(l)[o][j] = b1 * m.get(l)[o][j] + (1 - b1) * g;
                    v.get(l)[o][j] = b2 * v.get(l)[o][j] + (1 - b2) * g * g;
                    w[o][j] -= learningRate * (m.get(l)[o][j] / c1) / (Math.sqrt(v.get(l)[o][j] / c2) + 1e-8);
                }
            }
        }
    }

    static double loss(List<double[][]> params, Data data) {
        double total = 0;
        double weights = 0;
        for (int i = 0; i < data.x().length; i++) {
            double[][] acts = forward(params, data.x()[i]);
            double[] p = softmax(acts[acts.length - 1]);
            total += -Math.log(Math.max(p[data.y()[i]], 1e-12)) * data.w()[i];
            weights += data.w()[i];
        }
        return total / weights;
    }

    private static List<double[][]> zerosLike(List<double[][]> params) {
        List<double[][]> out = new ArrayList<>();
        for (double[][] w : params) {
            out.add(new double[w.length][w[0].length]);
        }
        return out;
    }

    private static List<double[][]> copy(List<double[][]> params) {
        List<double[][]> out = new ArrayList<>();
        for (double[][] w : params) {
            double[][] c = new double[w.length][];
            for (int i = 0; i < w.length; i++) {
                c[i] = w[i].clone();
            }
            out.add(c);
        }
        return out;
    }
}
