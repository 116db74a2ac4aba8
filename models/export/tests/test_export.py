"""The export tool on the tiny random Qwen2.5-VL: graphs equal to PyTorch, files as transformers.js
reads them, and clear errors that leave nothing half-written."""

from __future__ import annotations

import json
import os
import shutil
import sys

import numpy as np
import onnxruntime as ort
import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tiny"))

from make_tiny import RELEASE_STAND_IN, build_checkpoint, build_qwen3_checkpoint  # noqa: E402
from sage_export.checkpoint import CheckpointError  # noqa: E402
from sage_export.export import export  # noqa: E402


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> str:
    folder = str(tmp_path_factory.mktemp("tiny") / "checkpoint")
    build_checkpoint(folder)
    return folder


@pytest.fixture(scope="module")
def exported(checkpoint, tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("out") / "model")
    export(checkpoint, out, dtypes=("fp32", "q4"), release=RELEASE_STAND_IN, force_external_data=True)
    return out


def _session(folder: str, name: str) -> ort.InferenceSession:
    return ort.InferenceSession(os.path.join(folder, "onnx", name), providers=["CPUExecutionProvider"])


def test_layout_and_config(exported):
    names = sorted(os.listdir(os.path.join(exported, "onnx")))
    for graph in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
        assert f"{graph}.onnx" in names and f"{graph}_q4.onnx" in names
        # Forced here so the chunked external-data path runs on a small model.
        assert f"{graph}.onnx_data" in names
    config = json.load(open(os.path.join(exported, "config.json")))
    assert config["model_type"] == "qwen2_5_vl"
    assert config["text_config"]["num_hidden_layers"] == 1
    assert config["transformers.js_config"]["use_external_data_format"]["decoder_model_merged.onnx"] == 1
    assert config["sage_export"] == {"vision_frames_apart": True}
    assert json.load(open(os.path.join(exported, "tokenizer_config.json")))["chat_template"]
    pack = json.load(open(os.path.join(exported, "sage_prompts.json")))
    assert pack["format"] == 1 and "<<<tools>>>" in pack["stage1_system"]
    assert [tool["name"] for tool in pack["tools"]][:2] == ["verbal_transcript", "identify_timestamps_visually"]
    assert pack["tools"][3]["parameters"]["properties"]["media_paths"]["type"] == "any"
    assert not os.path.exists(exported + ".partial")


def test_q4_weights_are_matmulnbits_block_32(exported):
    import onnx

    model = onnx.load(os.path.join(exported, "onnx", "decoder_model_merged_q4.onnx"), load_external_data=False)
    nbits = [node for node in model.graph.node if node.op_type == "MatMulNBits"]
    assert nbits, "no 4-bit MatMul"
    for node in nbits:
        attrs = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
        assert attrs["bits"] == 4 and attrs["block_size"] == 32


@pytest.mark.parametrize("grid", [[1, 8, 8], [2, 10, 14], [3, 16, 6]])
def test_vision_encoder_matches_torch_on_any_grid(checkpoint, exported, grid):
    from transformers import Qwen2_5_VLForConditionalGeneration

    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
    grid_tensor = torch.tensor([grid])
    pixels = torch.randn(int(grid_tensor.prod()), 1176, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = model.model.visual(pixels, grid_thw=grid_tensor).numpy()
    got = _session(exported, "vision_encoder.onnx").run(None, {"pixel_values": pixels.numpy(), "image_grid_thw": grid_tensor.numpy()})[0]
    assert np.abs(got - expected).max() < 1e-5


def test_decoder_matches_torch_with_cache(checkpoint, exported):
    from transformers import Qwen2_5_VLForConditionalGeneration

    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
    decoder = _session(exported, "decoder_model_merged.onnx")
    ids = torch.tensor([[5, 80, 81, 90, 200, 17, 33]])
    embeds = model.model.language_model.embed_tokens(ids).detach()
    positions = torch.arange(7).view(1, 1, -1).expand(3, 1, -1).clone()
    positions[0, 0, 3:] += 4  # distinct time axis, as after a video
    mask = torch.ones(1, 7, dtype=torch.int64)
    with torch.no_grad():
        first = model(inputs_embeds=embeds, attention_mask=mask, position_ids=positions, use_cache=True)
    layers = model.config.text_config.num_hidden_layers
    past = {f"past_key_values.{i}.{kind}": np.zeros((1, 2, 0, 16), np.float32) for i in range(layers) for kind in ("key", "value")}
    feeds = {"inputs_embeds": embeds.numpy(), "attention_mask": mask.numpy(), "position_ids": positions.numpy(), "num_logits_to_keep": np.array(0), **past}
    out = decoder.run(None, feeds)
    # Logits are about 20 in size here: 1e-4 is a relative error near 1e-6 (the stated fp32 tolerance).
    assert np.abs(out[0] - first.logits.numpy()).max() < 1e-4

    step = model.model.language_model.embed_tokens(torch.tensor([[42]])).detach()
    step_positions = torch.full((3, 1, 1), 12)
    with torch.no_grad():
        second = model(inputs_embeds=step, attention_mask=torch.ones(1, 8, dtype=torch.int64), position_ids=step_positions, past_key_values=first.past_key_values, use_cache=True)
    names = [output.name for output in decoder.get_outputs()][1:]
    cached = {name.replace("present", "past_key_values"): value for name, value in zip(names, out[1:])}
    feeds = {"inputs_embeds": step.numpy(), "attention_mask": np.ones((1, 8), np.int64), "position_ids": step_positions.numpy(), "num_logits_to_keep": np.array(1), **cached}
    again = decoder.run(None, feeds)
    assert again[0].shape == (1, 1, model.config.text_config.vocab_size)
    assert np.abs(again[0] - second.logits.numpy()).max() < 1e-4


def test_incomplete_checkpoint_is_refused_and_nothing_is_written(checkpoint, tmp_path):
    broken = str(tmp_path / "broken")
    shutil.copytree(checkpoint, broken)
    weights = os.path.join(broken, "model.safetensors")
    with open(weights, "r+b") as handle:
        handle.truncate(os.path.getsize(weights) // 2)
    out = str(tmp_path / "out")
    with pytest.raises(CheckpointError, match="cut short"):
        export(broken, out)
    assert not os.path.exists(out) and not os.path.exists(out + ".partial")


def test_missing_files_and_other_models_get_clear_errors(checkpoint, tmp_path):
    with pytest.raises(CheckpointError, match="is not a folder"):
        export(str(tmp_path / "nowhere"), str(tmp_path / "out"))
    no_tokenizer = str(tmp_path / "no-tokenizer")
    shutil.copytree(checkpoint, no_tokenizer)
    os.remove(os.path.join(no_tokenizer, "tokenizer.json"))
    with pytest.raises(CheckpointError, match="has no tokenizer.json"):
        export(no_tokenizer, str(tmp_path / "out"))
    other = str(tmp_path / "other")
    shutil.copytree(checkpoint, other)
    config = json.load(open(os.path.join(other, "config.json")))
    config["model_type"] = "idefics3"
    json.dump(config, open(os.path.join(other, "config.json"), "w"))
    with pytest.raises(CheckpointError, match="model_type 'idefics3'; this tool exports qwen2_5_vl, qwen3_vl"):
        export(other, str(tmp_path / "out"))


def test_release_checkout_without_the_slots_is_refused(checkpoint, tmp_path):
    release = str(tmp_path / "release")
    shutil.copytree(RELEASE_STAND_IN, release)
    with open(os.path.join(release, "sage/prompts/sage/iterative_reasoner_msg.txt"), "w") as handle:
        handle.write("no slots here\n")
    with pytest.raises(CheckpointError, match="lacks <<<previous_tool_call>>>"):
        export(checkpoint, str(tmp_path / "out"), release=release)
    assert not os.path.exists(str(tmp_path / "out"))


# ---- Qwen3-VL (the smaller SAGE-MMs): DeepStack across the graph boundary ----


def _weight_matmuls(path: str) -> tuple[int, int]:
    """(MatMuls whose B is an initializer, MatMulNBits) in a graph file."""
    import onnx

    model = onnx.load(path, load_external_data=False)
    initializers = {tensor.name for tensor in model.graph.initializer}
    float_weights = sum(1 for node in model.graph.node if node.op_type == "MatMul" and node.input[1] in initializers)
    return float_weights, sum(1 for node in model.graph.node if node.op_type == "MatMulNBits")

@pytest.fixture(scope="module")
def qwen3(tmp_path_factory):
    checkpoint = str(tmp_path_factory.mktemp("qwen3") / "checkpoint")
    build_qwen3_checkpoint(checkpoint)
    out = str(tmp_path_factory.mktemp("qwen3-out") / "model")
    export(checkpoint, out, dtypes=("fp32", "q4", "q4f16"))
    return checkpoint, out


@pytest.mark.parametrize("grid", [[1, 8, 8], [2, 6, 10], [1, 4, 12]])
def test_qwen3_vision_encoder_returns_deepstack_features_equal_to_torch(qwen3, grid):
    from transformers import Qwen3VLForConditionalGeneration

    checkpoint, exported = qwen3
    model = Qwen3VLForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
    grid_tensor = torch.tensor([grid])
    pixels = torch.randn(int(grid_tensor.prod()), 3 * 2 * 16 * 16, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        features, deepstack = model.model.visual(pixels, grid_thw=grid_tensor)
    session = _session(exported, "vision_encoder.onnx")
    assert [output.name for output in session.get_outputs()] == ["image_features", "deepstack_features"]
    got, got_deepstack = session.run(None, {"pixel_values": pixels.numpy(), "image_grid_thw": grid_tensor.numpy()})
    assert np.abs(got - features.numpy()).max() < 1e-5
    assert got_deepstack.shape == (2, features.shape[0], 64)
    assert np.abs(got_deepstack - torch.stack(deepstack).numpy()).max() < 1e-5


def test_qwen3_decoder_adds_deepstack_after_the_first_layers_as_torch_does(qwen3):
    from transformers import Qwen3VLForConditionalGeneration

    checkpoint, exported = qwen3
    model = Qwen3VLForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
    length = 9
    embeds = torch.randn(1, length, 64, generator=torch.Generator().manual_seed(4))
    positions = torch.arange(length).view(1, 1, -1).expand(3, 1, -1).clone()
    positions[1, 0, 2:6], positions[2, 0, 2:6] = torch.tensor([2, 2, 3, 3]), torch.tensor([2, 3, 2, 3])
    positions[:, 0, 6:] -= 2
    visual = torch.zeros(1, length, dtype=torch.bool)
    visual[0, 2:6] = True
    features = [torch.randn(4, 64, generator=torch.Generator().manual_seed(5 + i)) for i in range(2)]
    dense = torch.zeros(2, 1, length, 64)
    dense[:, 0, 2:6] = torch.stack(features)
    mask = torch.ones(1, length, dtype=torch.int64)
    with torch.no_grad():
        hidden = model.model.language_model(
            inputs_embeds=embeds, attention_mask=mask, position_ids=positions, visual_pos_masks=visual, deepstack_visual_embeds=features
        ).last_hidden_state
        expected = model.lm_head(hidden).numpy()
        without = model.lm_head(model.model.language_model(inputs_embeds=embeds, attention_mask=mask, position_ids=positions).last_hidden_state).numpy()
    decoder = _session(exported, "decoder_model_merged.onnx")
    past = {meta.name: np.zeros((1, 2, 0, 16), np.float32) for meta in decoder.get_inputs() if meta.name.startswith("past_key_values")}
    feeds = {
        "inputs_embeds": embeds.numpy(), "attention_mask": mask.numpy(), "position_ids": positions.numpy(),
        "num_logits_to_keep": np.array(0), "deepstack_visual_embeds": dense.numpy(), **past,
    }
    got = decoder.run(None, feeds)[0]
    assert np.abs(got - expected).max() < 1e-4
    # DeepStack matters: without it the logits move far beyond the tolerance.
    assert np.abs(without - expected).max() > 1e-2
    # Every linear layer of the q4f16 export is 4-bit, as in q4 (the float16 converter's Casts on
    # the weights are folded into them first).
    for graph in ("decoder_model_merged", "vision_encoder"):
        float_weights, nbits = _weight_matmuls(os.path.join(exported, "onnx", f"{graph}_q4f16.onnx"))
        assert float_weights == 0 and nbits > 0, (graph, float_weights, nbits)
    # The q4f16 export runs with float16 inputs and the cache dtype the session declares.
    half = _session(exported, "decoder_model_merged_q4f16.onnx")
    half_feeds = {key: (value.astype(np.float16) if value.dtype == np.float32 else value) for key, value in feeds.items()}
    logits = half.run(None, half_feeds)[0].astype(np.float32)
    assert np.isfinite(logits).all() and logits.shape == expected.shape


def _rotary_angles(path: str, positions: np.ndarray) -> np.ndarray:
    """The decoder's rotary angles (what its Cos node takes) for `positions`, read by making them
    an output of the graph file at `path`, in whatever float type the graph computes them."""
    import onnx

    model = onnx.load(path)
    cos = next(node for node in model.graph.node if node.op_type == "Cos")
    inferred = onnx.shape_inference.infer_shapes(model)
    elem = next(value.type.tensor_type.elem_type for value in inferred.graph.value_info if value.name == cos.input[0])
    model.graph.output.append(onnx.helper.make_tensor_value_info(cos.input[0], elem, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {}
    for meta in session.get_inputs():
        dtype = np.float16 if meta.type == "tensor(float16)" else np.int64 if meta.type == "tensor(int64)" else np.float32
        if meta.name == "position_ids":
            feeds[meta.name] = np.tile(positions, (3, 1, 1))
        elif meta.name == "attention_mask":
            feeds[meta.name] = np.ones((1, positions.size), dtype=np.int64)
        elif meta.name == "num_logits_to_keep":
            feeds[meta.name] = np.array(1, dtype=np.int64)
        else:
            shape = [{"batch_size": 1, "sequence_length": positions.size}.get(d, 0) if isinstance(d, str) else d for d in meta.shape]
            feeds[meta.name] = np.zeros(shape, dtype=dtype)
    return session.run([cos.input[0]], feeds)[0].astype(np.float64)


def test_qwen3_q4f16_rotary_angles_hold_at_stage1_positions(qwen3):
    """The q4f16 decoder computes its rotary angles in float32, as q4 does: float16 holds integers
    exactly only up to 2,048, so at a Stage 1's end (positions 5,891-5,899) float16 angles of the
    fastest frequency are off by up to 2 rad."""
    _, exported = qwen3
    positions = np.arange(5891, 5900, dtype=np.int64)
    q4 = _rotary_angles(os.path.join(exported, "onnx", "decoder_model_merged_q4.onnx"), positions)
    half = _rotary_angles(os.path.join(exported, "onnx", "decoder_model_merged_q4f16.onnx"), positions)
    assert np.abs(q4[..., 0] - positions).max() < 1e-3  # the fastest frequency is 1: its angle is the position
    assert np.abs(half - q4).max() < 1e-3
