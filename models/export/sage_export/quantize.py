"""The dtypes the registry names, as passes over a graph whose weights are still recipes.

- `fp32`: the traced graph.
- `q4`: every MatMul with a weight becomes ONNX Runtime's MatMulNBits (4-bit symmetric weights in
  blocks of 32), and the token embedding's Gather becomes GatherBlockQuantized in the same 4-bit
  form, so no tensor of a q4 build is near a GPU's buffer limit; activations, norms and the KV
  cache stay float32.
- `q4f16`: the graph in float16 (outputs, KV cache and inputs too, but for the vision encoder's
  pixel values; RMS norms and the decoder's rotary angles inside stay float32), then 4 bits as
  for q4: what a WebGPU device with `shader-f16` runs.

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


def _rotary_angle_nodes(graph: onnx.GraphProto) -> list[str]:
    """The nodes from the decoder's `position_ids` to the rotary embedding's Cos and Sin: the
    angles position × inverse frequency. float16 holds integers exactly only up to 2,048, so in
    float16 a Stage-1 position of 5,899 becomes 5,900 and its fastest angles are off by up to π."""
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    found: list[str] = []
    frontier = [value.name for value in graph.input if value.name == "position_ids"]
    while frontier:
        for node in consumers.get(frontier.pop(), []):
            if node.name in found:
                continue
            found.append(node.name)
            # The angles end at Cos and Sin: their values lie in [-1, 1], where float16 is fine.
            if node.op_type not in ("Cos", "Sin"):
                frontier.extend(node.output)
    return found


def _to_fp16(model: onnx.ModelProto, recipes: dict) -> onnx.ModelProto:
    constants_to_initializers(model)
    # The converter casts around blocked nodes only where it knows a tensor's type.
    model = onnx.shape_inference.infer_shapes(model)
    # RMS norms stay float32, as the reference computes them even for half-precision weights;
    # in float16 ONNX Runtime's CPU and WASM builds also fail to fuse them ("InsertedPrecisionFreeCast").
    norms = [node.name for node in model.graph.node if _is_norm(node.name)]
    # So do the rotary angles (a Stage 1 runs to about 6,000 positions).
    angles = _rotary_angle_nodes(model.graph)
    logging.getLogger("onnxruntime.transformers.float16").setLevel(logging.ERROR)
    # Pixels stay float32 (transformers.js hands the vision encoder the processor's float32 tensor
    # as it is); every other input and output, the KV cache included, is float16. Weight inputs
    # are kept too: the converter puts a Cast after each, which weights.fold turns into the recipe.
    model = convert_float_to_float16(
        model, keep_io_types=["pixel_values", *recipes], disable_shape_infer=True, node_block_list=norms + angles
    )
    _drop_float16_round_trips(model.graph, set(norms + angles))
    return model


def _drop_float16_round_trips(graph: onnx.GraphProto, kept: set[str]) -> None:
    """The converter casts each float32 node's output to float16 and, for a float32 node after
    it, back again: a chain of kept nodes would be rounded to float16 between every two of them
    (the rotary angles at 5,899 as badly as without keeping them). Such a round trip is dropped:
    the second node reads the first one's float32 output."""
    producer = {output: node for node in graph.node for output in node.output}
    to = lambda node: next(attr.i for attr in node.attribute if attr.name == "to")  # noqa: E731
    renamed: dict[str, str] = {}
    for node in graph.node:
        if node.op_type != "Cast" or to(node) != onnx.TensorProto.FLOAT:
            continue
        down = producer.get(node.input[0])
        if down is None or down.op_type != "Cast" or to(down) != onnx.TensorProto.FLOAT16:
            continue
        source = producer.get(down.input[0])
        if source is not None and source.name in kept:
            renamed[node.output[0]] = down.input[0]
    for node in graph.node:
        for index, name in enumerate(node.input):
            if name in renamed:
                node.input[index] = renamed[name]
    used = {name for node in graph.node for name in node.input} | {output.name for output in graph.output}
    live = [node for node in graph.node if not (node.op_type == "Cast" and node.output[0] not in used)]
    del graph.node[:]
    graph.node.extend(live)


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
