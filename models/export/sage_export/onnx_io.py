"""Tracing the three graphs to ONNX, and writing ONNX files the way transformers.js reads them."""

from __future__ import annotations

import os
import tempfile
import warnings

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from .graphs import Decoder, EmbedTokens, VisionEncoder
from .graphs_qwen3 import DecoderQwen3, VisionEncoderQwen3

OPSET = 17
# transformers.js reads external data in chunks named <file>.onnx_data, <file>.onnx_data_1, ...;
# a browser cannot hold one ArrayBuffer of 2 GB or more, so each chunk stays below that.
MAX_CHUNK_BYTES = 2_000_000_000
# A protobuf message cannot exceed 2 GiB; larger graphs must keep their weights outside.
INLINE_LIMIT_BYTES = 2_000_000_000


def _is_qwen3(model) -> bool:
    return model.config.model_type == "qwen3_vl"


def export_vision_encoder(model, path: str) -> None:
    config = model.config.vision_config
    qwen3 = _is_qwen3(model)
    module = (VisionEncoderQwen3 if qwen3 else VisionEncoder)(model.model.visual).eval()
    # Trace on a grid with two frames and a partial window, so no size is a special case.
    grid = torch.tensor([[2, 12, 20]], dtype=torch.int64)
    patch_dim = config.in_channels * config.temporal_patch_size * config.patch_size**2
    pixels = torch.randn(int(grid.prod()), patch_dim)
    outputs = ["image_features", "deepstack_features"] if qwen3 else ["image_features"]
    dynamic = {
        "pixel_values": {0: "num_patches"},
        "image_grid_thw": {0: "num_images"},
        "image_features": {0: "num_image_tokens"},
    }
    if qwen3:
        dynamic["deepstack_features"] = {1: "num_image_tokens"}
    _trace(module, (pixels, grid), path, input_names=["pixel_values", "image_grid_thw"], output_names=outputs, dynamic_axes=dynamic)


def export_embed_tokens(model, path: str) -> None:
    module = EmbedTokens(model.model.language_model.embed_tokens).eval()
    ids = torch.zeros((1, 5), dtype=torch.int64)
    _trace(
        module,
        (ids,),
        path,
        input_names=["input_ids"],
        output_names=["inputs_embeds"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}},
    )


def export_decoder(model, path: str) -> None:
    text_config = model.config.text_config
    qwen3 = _is_qwen3(model)
    layers = text_config.num_hidden_layers
    kv_heads = text_config.num_key_value_heads
    head_dim = getattr(text_config, "head_dim", None) or text_config.hidden_size // text_config.num_attention_heads
    batch, length, past_length = 1, 3, 4
    embeds = torch.randn(batch, length, text_config.hidden_size)
    mask = torch.ones(batch, past_length + length, dtype=torch.int64)
    positions = torch.arange(past_length, past_length + length).view(1, 1, -1).expand(3, batch, -1).contiguous()
    keep = torch.tensor(1, dtype=torch.int64)
    past = [torch.randn(batch, kv_heads, past_length, head_dim) for _ in range(2 * layers)]
    past_names = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    present_names = [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    dynamic = {
        "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {1: "batch_size", 2: "sequence_length"},
        "logits": {0: "batch_size", 1: "logits_length"},
    }
    dynamic.update({name: {0: "batch_size", 2: "past_sequence_length"} for name in past_names})
    dynamic.update({name: {0: "batch_size", 2: "total_sequence_length"} for name in present_names})
    inputs = ["inputs_embeds", "attention_mask", "position_ids", "num_logits_to_keep"]
    args = [embeds, mask, positions, keep]
    if qwen3:
        deepstack_layers = len(model.config.vision_config.deepstack_visual_indexes)
        module = DecoderQwen3(model.model.language_model, model.lm_head, deepstack_layers).eval()
        inputs.append("deepstack_visual_embeds")
        args.append(torch.randn(deepstack_layers, batch, length, text_config.hidden_size))
        dynamic["deepstack_visual_embeds"] = {1: "batch_size", 2: "sequence_length"}
    else:
        module = Decoder(model.model.language_model, model.lm_head).eval()
    _trace(module, (*args, *past), path, input_names=[*inputs, *past_names], output_names=["logits", *present_names], dynamic_axes=dynamic)


def _trace(module, args, path, input_names, output_names, dynamic_axes) -> None:
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns about every shape it reads; the graphs are checked on other shapes after export.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            path,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def load(path: str) -> onnx.ModelProto:
    return onnx.load(path, load_external_data=True)


def gemm_to_matmul(model: onnx.ModelProto) -> onnx.ModelProto:
    """Rewrites Gemm nodes with constant weights as MatMul (+ Add) so the 4-bit quantizer sees them.

    The tracer emits Gemm for linear layers on 2-D inputs (the vision tower); ONNX Runtime's
    MatMulNBits quantizer only rewrites MatMul.
    """
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    nodes = []
    for node in graph.node:
        attrs = {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}
        weight = initializers.get(node.input[1]) if node.op_type == "Gemm" and len(node.input) > 1 else None
        if weight is None or attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
            nodes.append(node)
            continue
        array = numpy_helper.to_array(weight)
        if attrs.get("transB", 0):
            array = array.T
        matmul_weight = numpy_helper.from_array(np.ascontiguousarray(array), f"{node.name}.weight_t")
        graph.initializer.append(matmul_weight)
        has_bias = len(node.input) > 2 and node.input[2] != ""
        product = f"{node.output[0]}.matmul" if has_bias else node.output[0]
        nodes.append(helper.make_node("MatMul", [node.input[0], matmul_weight.name], [product], name=f"{node.name}.matmul"))
        if has_bias:
            nodes.append(helper.make_node("Add", [product, node.input[2]], [node.output[0]], name=f"{node.name}.bias"))
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return model


def constants_to_initializers(model: onnx.ModelProto) -> onnx.ModelProto:
    """Moves Constant nodes' tensors into initializers.

    ONNX Runtime's float16 converter casts Constant outputs in a way its own layer-norm fusion then
    cannot resolve ("InsertedPrecisionFreeCast_... does not exist"); initializers convert cleanly.
    """
    graph = model.graph
    nodes = []
    for node in graph.node:
        value = next((attr for attr in node.attribute if attr.name == "value"), None)
        if node.op_type == "Constant" and value is not None and len(node.attribute) == 1:
            tensor = onnx.TensorProto()
            tensor.CopyFrom(value.t)
            tensor.name = node.output[0]
            graph.initializer.append(tensor)
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def with_value_info(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with every intermediate tensor's type inferred (on disk when too big for memory)."""
    if tensor_bytes(model) < INLINE_LIMIT_BYTES:
        return onnx.shape_inference.infer_shapes(model)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.onnx")
        save(model, path)
        onnx.shape_inference.infer_shapes_path(path, path)
        return load(path)


def tensor_bytes(model: onnx.ModelProto) -> int:
    return sum(len(tensor.raw_data) or tensor.ByteSize() for tensor in model.graph.initializer)


def save(model: onnx.ModelProto, path: str, force_external: bool = False, chunk_bytes: int = MAX_CHUNK_BYTES) -> int:
    """Writes `path`, with weights in `<name>_data[_k]` chunks when the graph is too big to inline.

    Returns the number of external data chunks (0 when everything is inline), which is what
    transformers.js' `use_external_data_format` wants per file.
    """
    for tensor in model.graph.initializer:
        tensor.ClearField("data_location")
        tensor.ClearField("external_data")
    if not force_external and tensor_bytes(model) < INLINE_LIMIT_BYTES:
        onnx.save(model, path)
        return 0

    base = os.path.basename(path)
    folder = os.path.dirname(path)
    chunk, written, handle = 0, 0, None
    try:
        for tensor in model.graph.initializer:
            if not tensor.HasField("raw_data"):
                tensor.raw_data = numpy_helper.to_array(tensor).tobytes()
                for field in ("float_data", "int32_data", "int64_data", "double_data", "uint64_data"):
                    tensor.ClearField(field)
            size = len(tensor.raw_data)
            if handle is None or (written > 0 and written + size > chunk_bytes):
                if handle is not None:
                    handle.close()
                    chunk += 1
                handle = open(os.path.join(folder, _chunk_name(base, chunk)), "wb")
                written = 0
            handle.write(tensor.raw_data)
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", _chunk_name(base, chunk)), ("offset", str(written)), ("length", str(size))):
                entry = tensor.external_data.add()
                entry.key, entry.value = key, value
            written += size
    finally:
        if handle is not None:
            handle.close()
    onnx.save(model, path)
    return chunk + 1


def _chunk_name(base: str, chunk: int) -> str:
    return f"{base}_data" if chunk == 0 else f"{base}_data_{chunk}"
