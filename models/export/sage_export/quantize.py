"""The dtypes the registry names, as passes over a graph whose weights are still recipes.

- `fp32`: the traced graph.
- `q4`: every MatMul with a weight becomes ONNX Runtime's MatMulNBits (4-bit symmetric weights in
  blocks of 32), and the token embedding's Gather becomes GatherBlockQuantized in the same 4-bit
  form, so no tensor of a q4 build is near a GPU's buffer limit; activations, norms and the KV
  cache stay float32.
- `q4f16`: the graph in float16 (outputs, KV cache and inputs too, but for the vision encoder's
  pixel values; RMS norms inside stay float32), then 4 bits as for q4: what a WebGPU device with
  `shader-f16` runs.

The passes see only the graph: weights are graph inputs with a `weights.Recipe` each, so a 7B
graph is a few megabytes here, and the weights are read, converted and written one at a time
when the file is written.
"""

from __future__ import annotations

import logging

import onnx
from onnxruntime.transformers.float16 import convert_float_to_float16

from . import weights
from .onnx_io import constants_to_initializers

DTYPES = ("fp32", "q4", "q4f16")
BLOCK_SIZE = weights.BLOCK_SIZE

# transformers.js file-name suffix per dtype (onnx/<graph><suffix>.onnx).
SUFFIX = {"fp32": "", "q4": "_q4", "q4f16": "_q4f16"}


def _is_norm(name: str) -> bool:
    # Node names are module paths: input_layernorm, norm1, q_norm, ln_q, ...
    return "norm" in name.lower() or "ln_q" in name


def _to_fp16(model: onnx.ModelProto, recipes: dict) -> onnx.ModelProto:
    constants_to_initializers(model)
    # The converter casts around blocked nodes only where it knows a tensor's type.
    model = onnx.shape_inference.infer_shapes(model)
    # RMS norms stay float32, as the reference computes them even for half-precision weights;
    # in float16 ONNX Runtime's CPU and WASM builds also fail to fuse them ("InsertedPrecisionFreeCast").
    norms = [node.name for node in model.graph.node if _is_norm(node.name)]
    logging.getLogger("onnxruntime.transformers.float16").setLevel(logging.ERROR)
    # Pixels stay float32 (transformers.js hands the vision encoder the processor's float32 tensor
    # as it is); every other input and output, the KV cache included, is float16. Weight inputs
    # are kept too: the converter puts a Cast after each, which weights.fold turns into the recipe.
    return convert_float_to_float16(
        model, keep_io_types=["pixel_values", *recipes], disable_shape_infer=True, node_block_list=norms
    )


def convert(model: onnx.ModelProto, recipes: dict, dtype: str) -> tuple[onnx.ModelProto, dict]:
    """`model` is a copy of the traced graph (changed here); returns the graph and its weights."""
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose from {', '.join(DTYPES)}")
    if dtype == "fp32":
        return model, weights.fold(model.graph, recipes)
    weights.gemm_to_matmul(model.graph, recipes)
    if dtype == "q4f16":
        model = _to_fp16(model, recipes)
    recipes = weights.fold(model.graph, recipes)
    recipes = weights.to_4bit(model.graph, recipes)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    return model, recipes
