#!/usr/bin/env python3
"""Make a tiny vision encoder with the Hub exports' contract, and PyTorch's features for a video.

    python models/tiny/make_hub_style.py            # (re)writes the graph and the reference
    python models/tiny/make_hub_style.py --check    # recomputes both and compares (CI)

Run it with the export tool's environment (models/export/requirements.txt), after make_tiny.py.

PyTorch's Qwen2.5-VL vision tower attends within each temporal patch (its cu_seqlens are per
frame). models/export's graph does the same with a per-frame mask and marks its config.json, so
the VLM worker sends it a video's temporal patches many to a call. A graph without the mark (the
Hub's ONNX exports) is not known to keep frames apart; this one, on purpose, does not: attention
runs across the whole call (full-attention blocks over every patch, window blocks over each
window of every frame together), with no frame index anywhere. With one temporal patch per call
it computes exactly what models/export's graph computes; with several, it mixes frames.

It writes, from the same seeded weights as models/tiny/tiny-random-qwen2_5_vl (make_tiny.py):

- models/tiny/tiny-hub-style-qwen2_5_vl/: that model with this vision encoder (fp32) and its
  config.json without models/export's mark; the other files are links to the tiny model's;
- tests/fixtures/tiny-vlm-hub-style/reference.json: PyTorch's vision features for the tiny
  model's video case (tests/fixtures/tiny-vlm: three temporal patches of 4 x 4 patches), and what
  this graph gives with all three in one call and one per call, as ONNX Runtime (CPU) runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TINY_DIR = os.path.join(HERE, "tiny-random-qwen2_5_vl")
MODEL_DIR = os.path.join(HERE, "tiny-hub-style-qwen2_5_vl")
TINY_FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-vlm")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-vlm-hub-style")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "models", "export"))

from make_tiny import build_checkpoint  # noqa: E402
from sage_export.graphs import VisionEncoder, patch_places, vision_attention  # noqa: E402

# Files of the tiny model that the Hub-style folder shares (links), for the fp32 dtype.
SHARED = [
    "onnx/decoder_model_merged.onnx",
    "onnx/embed_tokens.onnx",
    "tokenizer.json",
    "tokenizer_config.json",
    "preprocessor_config.json",
    "chat_template.json",
    "generation_config.json",
]
# Features agree to float32 rounding when frames are kept apart; mixing frames moves them by far more.
FEATURE_TOLERANCE = 1e-4


class WholeCallVisionEncoder(VisionEncoder):
    """models/export's vision encoder, but for its masks: attention across the call (no frame apart)."""

    def forward(self, pixel_values: torch.Tensor, image_grid_thw: torch.Tensor) -> torch.Tensor:
        visual, merge, window = self.visual, self.merge, self.window
        hidden = visual.patch_embed(pixel_values)
        height, width = image_grid_thw[0, 1], image_grid_thw[0, 2]
        # The frame is not used: this graph's full-attention blocks attend across the whole call.
        _, unit_row, unit_col, units_per_row, cos, sin = patch_places(visual, hidden, height, width, merge)
        window_id = (unit_row // window) * (units_per_row // window + 1) + unit_col // window
        blocked = torch.finfo(hidden.dtype).min
        whole = torch.zeros((hidden.shape[0], hidden.shape[0]), dtype=hidden.dtype)
        windows = torch.where(window_id[:, None] == window_id[None, :], 0.0, blocked).to(hidden.dtype)
        for index, block in enumerate(visual.blocks):
            mask = whole if index in self.full_attention else windows
            hidden = hidden + vision_attention(block.attn, block.norm1(hidden), cos, sin, mask)
            hidden = hidden + block.mlp(block.norm2(hidden))
        return visual.merger(hidden)


def export_graph(model, path: str) -> None:
    config = model.config.vision_config
    grid = torch.tensor([[2, 12, 20]], dtype=torch.int64)
    pixels = torch.randn(int(grid.prod()), config.in_channels * config.temporal_patch_size * config.patch_size**2)
    module = WholeCallVisionEncoder(model.model.visual).eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (pixels, grid),
            path,
            input_names=["pixel_values", "image_grid_thw"],
            output_names=["image_features"],
            dynamic_axes={"pixel_values": {0: "num_patches"}, "image_grid_thw": {0: "num_images"}, "image_features": {0: "num_image_tokens"}},
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )


def video_case() -> tuple[np.ndarray, list[int]]:
    with open(os.path.join(TINY_FIXTURES, "reference.json"), encoding="utf-8") as handle:
        case = json.load(handle)["cases"]["video"]
    pixels = np.fromfile(os.path.join(TINY_FIXTURES, case["pixel_values_file"]), dtype="<f4").reshape(case["pixel_values_shape"])
    return pixels, case["grid_thw"]


def run_graph(path: str, pixels: np.ndarray, grid: list[int], per_call: int) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    t, h, w = grid
    parts = []
    for first in range(0, t, per_call):
        frames = min(per_call, t - first)
        rows = pixels[first * h * w : (first + frames) * h * w]
        parts.append(session.run(None, {"pixel_values": rows, "image_grid_thw": np.array([[frames, h, w]], dtype=np.int64)})[0])
    return np.concatenate(parts, axis=0)


def build(checkpoint: str, graph: str) -> dict:
    from transformers import Qwen2_5_VLForConditionalGeneration

    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
    export_graph(model, graph)
    pixels, grid = video_case()
    with torch.no_grad():
        features = model.model.visual(torch.from_numpy(pixels), grid_thw=torch.tensor([grid])).numpy()
    together = run_graph(graph, pixels, grid, per_call=grid[0])
    apart = run_graph(graph, pixels, grid, per_call=1)
    ours = run_graph(os.path.join(TINY_DIR, "onnx", "vision_encoder.onnx"), pixels, grid, per_call=grid[0])
    return {
        "made_by": "models/tiny/make_hub_style.py",
        "feature_tolerance": FEATURE_TOLERANCE,
        "grid_thw": grid,
        "features_shape": list(features.shape),
        "features": [round(float(v), 7) for v in features.reshape(-1)],
        "measured_max_difference": {
            "whole_call_graph_all_patches_in_one_call": float(np.abs(together - features).max()),
            "whole_call_graph_one_patch_per_call": float(np.abs(apart - features).max()),
            "models_export_graph_all_patches_in_one_call": float(np.abs(ours - features).max()),
        },
    }


def write_folder(graph_bytes: bytes) -> None:
    os.makedirs(os.path.join(MODEL_DIR, "onnx"), exist_ok=True)
    with open(os.path.join(MODEL_DIR, "onnx", "vision_encoder.onnx"), "wb") as handle:
        handle.write(graph_bytes)
    with open(os.path.join(TINY_DIR, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    config.pop("sage_export", None)
    config["transformers.js_config"] = {"dtype": "fp32"}
    with open(os.path.join(MODEL_DIR, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    for name in SHARED:
        link = os.path.join(MODEL_DIR, name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.relpath(os.path.join(TINY_DIR, name), os.path.dirname(link)), link)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="recompute the reference and compare it with the committed one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = os.path.join(scratch, "checkpoint")
        build_checkpoint(checkpoint)
        graph = os.path.join(scratch, "vision_encoder.onnx")
        document = build(checkpoint, graph)
        with open(graph, "rb") as handle:
            graph_bytes = handle.read()
    measured = document["measured_max_difference"]
    print(json.dumps(measured))
    problems = []
    if measured["whole_call_graph_one_patch_per_call"] > FEATURE_TOLERANCE or measured["models_export_graph_all_patches_in_one_call"] > FEATURE_TOLERANCE:
        problems.append("a graph that keeps frames apart does not match PyTorch")
    if measured["whole_call_graph_all_patches_in_one_call"] <= FEATURE_TOLERANCE:
        problems.append("the whole-call graph matches PyTorch with frames together: it does not show the difference")
    if args.check:
        with open(os.path.join(FIXTURES, "reference.json"), encoding="utf-8") as handle:
            committed = json.load(handle)
        drift = float(np.abs(np.array(committed["features"]) - np.array(document["features"])).max())
        if drift > FEATURE_TOLERANCE or committed["grid_thw"] != document["grid_thw"]:
            problems.append(f"the committed reference is stale (features drift {drift:.2e}); run python models/tiny/make_hub_style.py")
    else:
        write_folder(graph_bytes)
        os.makedirs(FIXTURES, exist_ok=True)
        with open(os.path.join(FIXTURES, "reference.json"), "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
            handle.write("\n")
    if problems:
        print("\n".join(problems))
        return 1
    print("Hub-style vision reference is current" if args.check else f"wrote {MODEL_DIR} and {FIXTURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
