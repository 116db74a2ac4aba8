"""Chunked prefill (sage_export/chunked_prefill.py, what the VLM worker does with a long Stage-1
prompt) against one-shot prefill on the committed tiny Qwen2.5-VL and Qwen3-VL (DeepStack) exports:
the same next-token logits and the same greedy tokens after, for chunks of 1 token, of sizes that
cut the visual tokens apart, and of one token less than the prompt.

Tolerance: chunking changes only which query rows go into each decoder run and how many keys a row
sees masked out (their softmax weight is exactly 0 in both). Every value is the same arithmetic on
the same numbers, so the logits may differ at most by float32 summation order: the same bound the
tiny references use for the export against PyTorch (reference.json's logit_tolerance, 1e-4 on
logits of magnitude ~20, i.e. ~5e-6 relative). In fact ONNX Runtime's CPU kernels give identical
bits here. For q4f16, whose activations are float16, the bound is 4 float16 spacings of the
largest logit. A chunk fed wrong positions or a wrong cache misses by 0.1-10: far outside both."""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnxruntime as ort
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tiny"))

from make_tiny import FAMILIES  # noqa: E402
from sage_export import prefill  # noqa: E402
from sage_export.prefill import chunked_prefill, greedy_continue  # noqa: E402
from sage_export.quantize import SUFFIX  # noqa: E402

STEPS = 4
DTYPES = ("fp32", "q4", "q4f16")
CASES = [(family.name, dtype, case) for family in FAMILIES for dtype in DTYPES for case in family.cases]


def _family(name: str):
    return next(family for family in FAMILIES if family.name == name)


def _session(family, graph: str, dtype: str):
    return ort.InferenceSession(os.path.join(family.model_dir, "onnx", f"{graph}{SUFFIX[dtype]}.onnx"), providers=["CPUExecutionProvider"])


def _reference(family) -> dict:
    with open(os.path.join(family.fixtures, "reference.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _prompt(family, dtype: str, case: dict):
    """The reference prompt as the worker feeds it: embeddings with the vision encoder's features
    (and DeepStack's) at the visual tokens, PyTorch's mRoPE positions. Also the visual tokens'
    [first, last + 1)."""
    with open(os.path.join(family.model_dir, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    ids = np.array([case["input_ids"]], dtype=np.int64)
    embeds = _session(family, "embed_tokens", dtype).run(None, {"input_ids": ids})[0]
    deepstack = np.zeros((prefill.deepstack_layers(config), 1, ids.shape[1], embeds.shape[-1]), dtype=prefill.float_type(dtype))
    visual = (0, 0)
    if "pixel_values_file" in case:
        pixels = np.fromfile(os.path.join(family.fixtures, case["pixel_values_file"]), dtype="<f4").reshape(case["pixel_values_shape"])
        outputs = _session(family, "vision_encoder", dtype).run(None, {"pixel_values": pixels, "image_grid_thw": np.array([case["grid_thw"]], dtype=np.int64)})
        token = config["video_token_id"] if ("fps" in case or "frame_times" in case) else config["image_token_id"]
        prefill.place_visual(embeds, ids, token, outputs, deepstack)
        at = np.flatnonzero(ids[0] == token)
        visual = (int(at[0]), int(at[-1]) + 1)
    positions = np.array(case["position_ids"], dtype=np.int64)[:, None, :]
    return config, embeds, positions, deepstack, visual


def _chunks(length: int, visual: tuple[int, int]) -> list[int]:
    """1 token; 7 and 16; one token less than the prompt; and, for a visual prompt, one whose first
    boundary falls in the middle of the visual tokens."""
    sizes = [1, 7, 16, length - 1]
    if visual[1] > visual[0]:
        sizes.append((visual[0] + visual[1]) // 2)
    return sorted(set(sizes))


def _splits_visual(chunk: int, visual: tuple[int, int]) -> bool:
    return any(visual[0] < boundary < visual[1] for boundary in range(chunk, visual[1], chunk))


def _tolerance(reference: dict, dtype: str, logits: np.ndarray) -> float:
    if dtype == "q4f16":
        return 4 * float(np.spacing(np.float16(np.abs(logits).max())))
    return reference["logit_tolerance"]


@pytest.mark.parametrize("family_name,dtype,case_name", CASES)
def test_chunked_prefill_matches_one_shot(family_name, dtype, case_name):
    family = _family(family_name)
    reference = _reference(family)
    case = reference["cases"][case_name]
    config, embeds, positions, deepstack, visual = _prompt(family, dtype, case)
    decoder, embed = _session(family, "decoder_model_merged", dtype), _session(family, "embed_tokens", dtype)
    length = embeds.shape[1]
    layers = prefill.deepstack_layers(config)

    def run(chunk: int):
        logits, past = chunked_prefill(decoder, embeds, positions, deepstack, dtype, chunk)
        tokens = greedy_continue(decoder, embed, logits, past, length, length + case["rope_delta"], layers, dtype, STEPS)
        return logits[0, -1].astype(np.float32), tokens

    one_shot, one_shot_tokens = run(0)
    if dtype == "fp32":
        # The one-shot path is itself right: PyTorch's greedy tokens.
        assert one_shot_tokens == case["greedy_tokens"][:STEPS]
    tolerance = _tolerance(reference, dtype, one_shot)
    sizes = _chunks(length, visual)
    if visual[1] > visual[0]:
        assert any(_splits_visual(chunk, visual) for chunk in sizes if chunk > 1)
    for chunk in sizes:
        logits, tokens = run(chunk)
        difference = float(np.abs(logits - one_shot).max())
        assert difference <= tolerance, f"chunk {chunk}: logits differ by {difference:.3g} (tolerance {tolerance:.3g})"
        assert tokens == one_shot_tokens, f"chunk {chunk}: greedy {tokens} vs one-shot {one_shot_tokens}"


def test_a_chunk_with_positions_restarting_at_zero_misses():
    """The tolerance tells a right chunked prefill from a wrong one: each chunk fed positions
    0..C-1 (the prompt's positions not sliced to the chunk) moves the logits far outside it."""
    family = _family("qwen3_vl")
    reference = _reference(family)
    case = reference["cases"]["video"]
    _, embeds, positions, deepstack, _ = _prompt(family, "fp32", case)
    decoder = _session(family, "decoder_model_merged", "fp32")
    chunk = 16
    one_shot = chunked_prefill(decoder, embeds, positions, deepstack, "fp32", 0)[0][0, -1]
    restarting = np.concatenate([positions[:, :, :chunk]] * (embeds.shape[1] // chunk + 1), axis=2)[:, :, : embeds.shape[1]]
    wrong = chunked_prefill(decoder, embeds, restarting, deepstack, "fp32", chunk)[0][0, -1]
    assert float(np.abs(wrong - one_shot).max()) > 100 * reference["logit_tolerance"]
