"""Tracing the three graphs to ONNX, without their weights (skeleton.py, weights.py)."""

from __future__ import annotations

import contextlib
import warnings

import onnx
import torch

from .graphs import Decoder, EmbedTokens, VisionEncoder
from .graphs_qwen3 import DecoderQwen3, VisionEncoderQwen3

OPSET = 17
# transformers.js reads external data in chunks named <file>.onnx_data, <file>.onnx_data_1, ...;
# a browser cannot hold one ArrayBuffer of 2 GB or more, so each chunk stays below that.
MAX_CHUNK_BYTES = 2_000_000_000


def _is_qwen3(model) -> bool:
    return model.config.model_type == "qwen3_vl"


def export_vision_encoder(model, path: str) -> dict[str, int]:
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
    return _trace(module, (pixels, grid), path, input_names=["pixel_values", "image_grid_thw"], output_names=outputs, dynamic_axes=dynamic)


def export_embed_tokens(model, path: str) -> dict[str, int]:
    module = EmbedTokens(model.model.language_model.embed_tokens).eval()
    ids = torch.zeros((1, 5), dtype=torch.int64)
    return _trace(
        module,
        (ids,),
        path,
        input_names=["input_ids"],
        output_names=["inputs_embeds"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}},
    )


def export_decoder(model, path: str) -> dict[str, int]:
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
    past_names, present_names, cache_axes = cache_io(layers)
    dynamic = {
        "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {1: "batch_size", 2: "sequence_length"},
        "logits": {0: "batch_size", 1: "logits_length"},
        **cache_axes,
    }
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
    return _trace(module, (*args, *past), path, input_names=[*inputs, *past_names], output_names=["logits", *present_names], dynamic_axes=dynamic)


def cache_io(layers: int) -> tuple[list[str], list[str], dict[str, dict[int, str]]]:
    """A decoder's key/value cache as transformers.js feeds it: past_key_values.N.key/value in,
    present.N.key/value out (names, then their dynamic axes)."""
    past_names = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    present_names = [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    axes = {name: {0: "batch_size", 2: "past_sequence_length"} for name in past_names}
    axes.update({name: {0: "batch_size", 2: "total_sequence_length"} for name in present_names})
    return past_names, present_names, axes


@contextlib.contextmanager
def _shape_inference_without_weight_values():
    """The exporter runs ONNX shape inference on a model it builds with every parameter's value
    serialised into it: the stand-ins would be materialised (GBs for a 151936-row embedding).
    The weights' shapes and types are on the graph inputs already, so inference needs no values."""
    original = torch._C._jit_pass_onnx_graph_shape_type_inference

    def without_values(graph, params_dict, opset_version):
        return original(graph, {}, opset_version)

    torch._C._jit_pass_onnx_graph_shape_type_inference = without_values
    try:
        yield
    finally:
        torch._C._jit_pass_onnx_graph_shape_type_inference = original


def _trace(module, args, path, input_names, output_names, dynamic_axes) -> dict[str, int]:
    """Traces `module` without its weights: each parameter becomes a graph input named by its path
    in `module`. Returns those names mapped to the id of each parameter."""
    with torch.no_grad(), warnings.catch_warnings(), _shape_inference_without_weight_values():
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
            # Folding would fold weight transposes into new inputs with no name to trace them by;
            # weights.fold does that on the recipes instead.
            do_constant_folding=False,
            export_params=False,
            # Weights are inputs anyway; this also skips the pass that merges equal initializers.
            keep_initializers_as_inputs=True,
            dynamo=False,
        )
    return {name: id(param) for name, param in module.named_parameters(remove_duplicate=False)}


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
