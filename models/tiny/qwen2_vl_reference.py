#!/usr/bin/env python3
"""PyTorch `transformers`' Qwen2-VL prompt inputs and mRoPE positions for a tiny processor.

    python models/tiny/qwen2_vl_reference.py            # (re)writes tests/fixtures/tiny-qwen2_vl/
    python models/tiny/qwen2_vl_reference.py --check    # recomputes everything and compares (CI)

Run it with the export tool's environment (models/export/requirements.txt: transformers 4.57.1).

The browser test tests/browser/vlm-inputs-qwen2_vl.test.ts loads the fixture folder's processor
with transformers.js, builds the same prompts with the VLM worker's code and compares. The folder
holds what transformers.js' AutoProcessor reads (the tiny tokenizer with the chat template, the
image processor's file as `Qwen2VLProcessor.save_pretrained` writes it) plus config.json, and
reference.json: for an image prompt, a video prompt (six frames, three temporal patches) and a
text-only prompt, the processor's token ids, pixel values (little-endian float32 files) and grid,
and the positions and generation offset of `Qwen2VLModel.get_rope_index` on a tiny random Qwen2-VL.
Unlike Qwen2.5-VL, Qwen2-VL's time axis advances by one per temporal patch whatever the video's
frame rate, and a text-only prompt's offset is max + 1 - length, as for the other families.

No weights are kept: the app's Qwen2-VL is the Hub's ONNX export, not ours, and only the config
reaches the processor and the positions.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-qwen2_vl")
sys.path.insert(0, HERE)

from make_tiny import CASES, SEED, _tokenizer_kwargs, pictures, prompt_text, record_pixels, save_pictures  # noqa: E402
from tiny_tokenizer import CHAT_TEMPLATE, build_tokenizer  # noqa: E402

# Patch 14 x merge 2: the test pictures' sides are multiples of 28, so the processor keeps them.
SIDE = 28
MIN_PIXELS = 3136
MAX_PIXELS = 12845056
# Any rate: Qwen2-VL's positions do not depend on it (the test gives the worker another).
VIDEO_FPS = 0.8
CONFIG_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json")


def tiny_config(ids: dict, vocab_size: int):
    from transformers import Qwen2VLConfig

    special = {"bos_token_id": ids["<|endoftext|>"], "eos_token_id": ids["<|im_end|>"], "pad_token_id": ids["<|endoftext|>"]}
    return Qwen2VLConfig(
        text_config=dict(
            vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=4,
            num_key_value_heads=2, rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]}, rope_theta=1000000.0,
            max_position_embeddings=32768, rms_norm_eps=1e-6, initializer_range=0.1, tie_word_embeddings=False, **special,
        ),
        vision_config=dict(
            depth=1, embed_dim=32, hidden_size=64, num_heads=2, mlp_ratio=2, patch_size=14, temporal_patch_size=2,
            spatial_merge_size=2, in_channels=3, initializer_range=0.1,
        ),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=False, **special,
    )


def write_folder(folder: str):
    """The processor and config files; returns the config."""
    from transformers import Qwen2TokenizerFast, Qwen2VLImageProcessor, Qwen2VLProcessor, Qwen2VLVideoProcessor

    tokenizer_json, tokenizer_config, ids, vocab_size, _ = build_tokenizer()
    config = tiny_config(ids, vocab_size)
    os.makedirs(folder, exist_ok=True)
    # Every field, as the Hub's config.json lists them (a diff against the defaults would hide the
    # fields the worker reads).
    config.to_json_file(os.path.join(folder, "config.json"), use_diff=False)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as handle:
        json.dump(tokenizer_json, handle, ensure_ascii=False)
    tokenizer = Qwen2TokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"), **_tokenizer_kwargs(tokenizer_config))
    bounds = dict(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS, patch_size=14, temporal_patch_size=2, merge_size=2)
    processor = Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessor(**bounds),
        tokenizer=tokenizer,
        video_processor=Qwen2VLVideoProcessor(**bounds),
        chat_template=CHAT_TEMPLATE,
    )
    with tempfile.TemporaryDirectory() as scratch:
        processor.save_pretrained(scratch)
        # Only the files transformers.js reads (the video processor's is not among them), the chat
        # template in tokenizer_config.json, where the Hub's Qwen2-VL has it and transformers.js
        # reads it.
        with open(os.path.join(scratch, "preprocessor_config.json"), encoding="utf-8") as source:
            preprocessor = source.read()
        with open(os.path.join(scratch, "tokenizer_config.json"), encoding="utf-8") as source:
            saved_tokenizer_config = json.load(source)
    with open(os.path.join(folder, "preprocessor_config.json"), "w", encoding="utf-8") as handle:
        handle.write(preprocessor)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as handle:
        json.dump({**saved_tokenizer_config, "chat_template": CHAT_TEMPLATE}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return config, processor


def reference(folder: str, config, processor, write: bool) -> dict:
    from transformers import Qwen2VLForConditionalGeneration

    torch.manual_seed(SEED)
    model = Qwen2VLForConditionalGeneration(config).eval()
    media = pictures(SIDE)
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
            kwargs["fps"] = VIDEO_FPS
        inputs = processor(text=[text], return_tensors="pt", **kwargs)
        with torch.no_grad():
            position_ids, deltas = model.model.get_rope_index(
                inputs["input_ids"], inputs.get("image_grid_thw"), inputs.get("video_grid_thw"), inputs["attention_mask"]
            )
        entry = {
            "text": text,
            "input_ids": inputs["input_ids"][0].tolist(),
            "position_ids": position_ids[:, 0, :].tolist(),
            "rope_delta": int(deltas[0, 0]),
        }
        pixels = record_pixels(entry, name, inputs)
        if pixels is not None:
            entry["pixels"] = pixels
        cases[name] = entry
    return cases


def make() -> None:
    import transformers

    config, processor = write_folder(FIXTURES)
    cases = reference(FIXTURES, config, processor, write=True)
    for name, case in cases.items():
        pixels = case.pop("pixels", None)
        if pixels is not None:
            pixels.tofile(os.path.join(FIXTURES, case["pixel_values_file"]))
    document = {"made_by": "models/tiny/qwen2_vl_reference.py", "transformers": transformers.__version__, "cases": cases}
    with open(os.path.join(FIXTURES, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    for name, case in cases.items():
        print(f"qwen2_vl {name}: {len(case['input_ids'])} tokens, grid {case.get('grid_thw')}, delta {case['rope_delta']}")


def check() -> list[str]:
    with open(os.path.join(FIXTURES, "reference.json"), encoding="utf-8") as handle:
        committed = json.load(handle)["cases"]
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        config, processor = write_folder(scratch)
        for name in CONFIG_FILES:
            if not filecmp.cmp(os.path.join(scratch, name), os.path.join(FIXTURES, name), shallow=False):
                problems.append(f"{name} differs")
        for name, case in reference(FIXTURES, config, processor, write=False).items():
            old = committed.get(name, {})
            for key in ("text", "input_ids", "position_ids", "rope_delta", "grid_thw", "pixel_values_shape"):
                if case.get(key) != old.get(key):
                    problems.append(f"{name}.{key} differs")
            if "pixels" in case:
                saved = np.fromfile(os.path.join(FIXTURES, old["pixel_values_file"]), dtype="<f4")
                if saved.size != case["pixels"].size or not np.array_equal(saved, case["pixels"].ravel()):
                    problems.append(f"{name} pixel values differ")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="recompute the reference and compare it with the committed one")
    args = parser.parse_args()
    if not args.check:
        make()
        return 0
    problems = check()
    if problems:
        print("the committed Qwen2-VL reference is stale; run python models/tiny/qwen2_vl_reference.py:\n  " + "\n  ".join(problems))
        return 1
    print("Qwen2-VL input reference is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
