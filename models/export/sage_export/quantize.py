"""The dtypes the registry names, made the way transformers.js' own exports are made.

- `fp32`: the traced graph.
- `q4`: every MatMul with a constant weight becomes ONNX Runtime's MatMulNBits (4-bit symmetric
  weights in blocks of 32); activations, norms, embeddings and the KV cache stay float32.
- `q4f16`: the graph in float16 (outputs, KV cache and inputs too, but for the vision encoder's
  pixel values; RMS norms inside stay float32), then its MatMuls in 4 bits as for q4: what a
  WebGPU device with `shader-f16` runs.
"""

from __future__ import annotations

import logging

import onnx
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
from onnxruntime.transformers.float16 import convert_float_to_float16

from .onnx_io import constants_to_initializers, gemm_to_matmul, with_value_info

DTYPES = ("fp32", "q4", "q4f16")
BLOCK_SIZE = 32

# transformers.js file-name suffix per dtype (onnx/<graph><suffix>.onnx).
SUFFIX = {"fp32": "", "q4": "_q4", "q4f16": "_q4f16"}


def to_q4(model: onnx.ModelProto) -> onnx.ModelProto:
    model = gemm_to_matmul(model)
    # The quantizer logs one line per node at INFO.
    logging.getLogger("onnxruntime.quantization").setLevel(logging.WARNING)
    quantizer = MatMulNBitsQuantizer(model, block_size=BLOCK_SIZE, is_symmetric=True)
    quantizer.process()
    return quantizer.model.model


def to_fp16(fp32_model: onnx.ModelProto) -> onnx.ModelProto:
    # The converter casts around blocked nodes only where it knows a tensor's type.
    model = with_value_info(constants_to_initializers(gemm_to_matmul(fp32_model)))
    # RMS norms stay float32, as the reference computes them even for half-precision weights;
    # in float16 ONNX Runtime's CPU and WASM builds also fail to fuse them ("InsertedPrecisionFreeCast").
    norms = [node.name for node in model.graph.node if _is_norm(node.name)]
    # Pixels stay float32 (transformers.js hands the vision encoder the processor's float32
    # tensor as it is); every other input and output, the KV cache included, is float16.
    return convert_float_to_float16(model, keep_io_types=["pixel_values"], disable_shape_infer=True, node_block_list=norms)


def _is_norm(name: str) -> bool:
    # Node names are module paths: input_layernorm, norm1, q_norm, ln_q, ...
    return "norm" in name.lower() or "ln_q" in name


def convert(model: onnx.ModelProto, dtype: str) -> onnx.ModelProto:
    """`model` is the traced fp32 graph; it is changed in place."""
    if dtype == "fp32":
        return model
    if dtype == "q4":
        return to_q4(model)
    if dtype == "q4f16":
        return to_q4(to_fp16(model))
    raise ValueError(f"unknown dtype {dtype!r}; choose from {', '.join(DTYPES)}")
