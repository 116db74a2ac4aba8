"""What the prompt-input reference scripts (qwen2_vl_reference.py, qwen3_5_reference.py) share.

Each writes a fixture folder that transformers.js' AutoProcessor reads, and reference.json: for
make_tiny.py's image, video and text-only prompts, PyTorch's token ids, pixel values
(little-endian float32 files) and grid, and the mRoPE positions and generation offset of the
family's `get_rope_index` on a tiny random model. `--check` recomputes everything and compares.
A script describes its family with an `InputReference` and calls `main`.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import tempfile
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from make_tiny import CASES, SEED, pictures, prompt_text, record_pixels, save_pictures

# What --check compares with the committed reference (besides the pixel values, as numbers).
CHECKED_KEYS = ("text", "input_ids", "position_ids", "rope_delta", "grid_thw", "pixel_values_shape", "frame_times")


@dataclass
class InputReference:
    name: str  # qwen2_vl
    label: str  # Qwen2-VL
    script: str  # models/tiny/qwen2_vl_reference.py
    fixtures: str
    # Patch x merge: the test pictures' sides are multiples of it, so the processor keeps them.
    side: int
    # Files whose bytes must come out the same on --check.
    config_files: tuple[str, ...]
    # folder -> (config, a function giving the processor for a folder of the written files).
    write_folder: Callable[[str], tuple[object, Callable[[str], object]]]
    # () -> the model class, imported when needed.
    model_class: Callable[[], type]
    # (model, processor inputs) -> (position ids, deltas).
    rope_index: Callable[[object, dict], tuple[torch.Tensor, torch.Tensor]]
    # The video prompt's processor arguments besides the frames.
    video_kwargs: dict
    # Entries the video case adds to its reference (e.g. the frames' times).
    video_entry: dict | None = None
    # A reason not to run (e.g. the wrong transformers on the path), or None.
    unusable: Callable[[], str | None] = lambda: None


def reference(spec: InputReference, folder: str, config, processor_for, write: bool) -> dict:
    """The reference cases from the files in `folder` (the committed ones on --check, which the browser test loads)."""
    processor = processor_for(folder)
    torch.manual_seed(SEED)
    model = spec.model_class()(config).eval()
    media = pictures(spec.side)
    if write:
        save_pictures(media, folder)

    cases = {}
    for name, case in CASES.items():
        text = prompt_text(processor, case)
        kwargs = {}
        if name == "image":
            kwargs["images"] = media["image"]
        if name == "video":
            kwargs["videos"] = [np.stack(media["video"])]
            kwargs.update(spec.video_kwargs)
        inputs = processor(text=[text], return_tensors="pt", **kwargs)
        with torch.no_grad():
            position_ids, deltas = spec.rope_index(model, inputs)
        entry = {
            "text": text,
            "input_ids": inputs["input_ids"][0].tolist(),
            "position_ids": position_ids[:, 0, :].tolist(),
            "rope_delta": int(deltas[0, 0]),
        }
        pixels = record_pixels(entry, name, inputs)
        if pixels is not None:
            entry["pixels"] = pixels
        if name == "video" and spec.video_entry:
            entry.update(spec.video_entry)
        cases[name] = entry
    return cases


def make(spec: InputReference) -> None:
    import transformers

    config, processor_for = spec.write_folder(spec.fixtures)
    cases = reference(spec, spec.fixtures, config, processor_for, write=True)
    for case in cases.values():
        pixels = case.pop("pixels", None)
        if pixels is not None:
            pixels.tofile(os.path.join(spec.fixtures, case["pixel_values_file"]))
    document = {"made_by": spec.script, "transformers": transformers.__version__, "cases": cases}
    with open(os.path.join(spec.fixtures, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    for name, case in cases.items():
        print(f"{spec.name} {name}: {len(case['input_ids'])} tokens, grid {case.get('grid_thw')}, delta {case['rope_delta']}")


def check(spec: InputReference) -> list[str]:
    with open(os.path.join(spec.fixtures, "reference.json"), encoding="utf-8") as handle:
        committed = json.load(handle)["cases"]
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        config, processor_for = spec.write_folder(scratch)
        for name in spec.config_files:
            if not filecmp.cmp(os.path.join(scratch, name), os.path.join(spec.fixtures, name), shallow=False):
                problems.append(f"{name} differs")
        for name, case in reference(spec, spec.fixtures, config, processor_for, write=False).items():
            old = committed.get(name, {})
            for key in CHECKED_KEYS:
                if case.get(key) != old.get(key):
                    problems.append(f"{name}.{key} differs")
            if "pixels" in case:
                saved = np.fromfile(os.path.join(spec.fixtures, old["pixel_values_file"]), dtype="<f4")
                if saved.size != case["pixels"].size or not np.array_equal(saved, case["pixels"].ravel()):
                    problems.append(f"{name} pixel values differ")
    return problems


def main(spec: InputReference, description: str) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="recompute the reference and compare it with the committed one")
    args = parser.parse_args()
    reason = spec.unusable()
    if reason:
        print(reason)
        return 2
    if not args.check:
        make(spec)
        return 0
    problems = check(spec)
    if problems:
        print(f"the committed {spec.label} reference is stale; run python {spec.script}:\n  " + "\n  ".join(problems))
        return 1
    print(f"{spec.label} input reference is current")
    return 0
