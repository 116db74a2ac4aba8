"""One linear layer, Y[1, M, N] = X[1, M, K] @ W[K, N], in each form a transformers.js build of a
decoder can hold it, as ONNX graphs for bench/wasm-matmul-forms.ts:

- fp32:       MatMul on a float32 weight.
- fp16w:      a float16 weight Cast to float32, then MatMul (ONNX Runtime folds the Cast at load).
- q8u, q8s:   onnxruntime.quantization.quantize_dynamic with uint8 / int8 weights (per tensor):
              DynamicQuantizeLinear + MatMulInteger + scale, what transformers.js calls q8 / int8.
- q4, q4acc4: MatMulNBits, 4-bit symmetric blocks of 32 (our q4 export's form), with
              accuracy_level 0 (float32 compute) and 4 (int8 compute on activations).

Shapes: `mlp` is Qwen2.5-VL-3B's MLP projection (K=2048, N=11008); `lmhead` its LM head
(K=2048, N=151936). The weights are random: speed does not depend on their values.

    ~/.cache/sage-export-venv/bin/python bench/make-matmul-forms.py OUT_DIR [mlp] [lmhead]
"""

from __future__ import annotations

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

SHAPES = {"mlp": (2048, 11008), "lmhead": (2048, 151936)}


def float_graph(k: int, n: int, weight_fp16: bool) -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((k, n), dtype=np.float32) * 0.02).astype(np.float16 if weight_fp16 else np.float32)
    nodes = []
    weight = "W"
    if weight_fp16:
        nodes.append(helper.make_node("Cast", ["W"], ["W32"], to=TensorProto.FLOAT))
        weight = "W32"
    nodes.append(helper.make_node("MatMul", ["X", weight], ["Y"], name="linear"))
    graph = helper.make_graph(
        nodes, "linear",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, "M", k])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, "M", n])],
        [numpy_helper.from_array(w, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def save(model: onnx.ModelProto, path: str) -> None:
    # External data past 100 MB: protobuf's 2 GB limit, and the loader reads both files.
    big = sum(t.ByteSize() for t in model.graph.initializer) > 100_000_000
    if os.path.exists(path + ".data"):
        os.remove(path + ".data")
    onnx.save_model(model, path, save_as_external_data=big, location=os.path.basename(path) + ".data", all_tensors_to_one_file=True)
    print(path, flush=True)


def main() -> None:
    out = sys.argv[1]
    shapes = sys.argv[2:] or list(SHAPES)
    os.makedirs(out, exist_ok=True)
    for shape in shapes:
        k, n = SHAPES[shape]
        fp32 = float_graph(k, n, weight_fp16=False)
        fp32_path = os.path.join(out, f"{shape}-fp32.onnx")
        save(fp32, fp32_path)
        save(float_graph(k, n, weight_fp16=True), os.path.join(out, f"{shape}-fp16w.onnx"))
        for form, weight_type in (("q8u", QuantType.QUInt8), ("q8s", QuantType.QInt8)):
            path = os.path.join(out, f"{shape}-{form}.onnx")
            quantize_dynamic(fp32_path, path, weight_type=weight_type, use_external_data_format=False)
            print(path, flush=True)
        for form, level in (("q4", 0), ("q4acc4", 4)):
            quantizer = MatMulNBitsQuantizer(onnx.load(fp32_path), block_size=32, is_symmetric=True, accuracy_level=level)
            quantizer.process()
            save(quantizer.model.model, os.path.join(out, f"{shape}-{form}.onnx"))


if __name__ == "__main__":
    main()
