#!/usr/bin/env python3
"""PyTorch `transformers`' Qwen3.5 prompt inputs and mRoPE positions for a tiny processor.

    python models/tiny/qwen3_5_reference.py            # (re)writes tests/fixtures/tiny-qwen3_5/
    python models/tiny/qwen3_5_reference.py --check    # recomputes everything and compares (CI)

Needs transformers 5.24 (the first line of models/tiny/requirements-qwen3_5.txt; the export
environment's 4.57.1 has no Qwen3.5), installed beside the export environment and put first on the
path; scripts/export-tests.sh does both:

    pip install --no-deps --target DIR -r models/tiny/requirements-qwen3_5.txt
    PYTHONPATH=DIR python models/tiny/qwen3_5_reference.py

The browser test tests/browser/qwen3_5-inputs.test.ts loads the fixture folder's processor with
transformers.js, builds the same prompts with the VLM worker's code and compares. The folder holds
what transformers.js' AutoProcessor reads (the tiny tokenizer, the chat template, the image
processor's preprocessor_config.json) plus config.json and the video processor's file, laid out
as the Hub's Qwen3.5 repositories lay them out, and reference.json: for an image prompt, a Stage-1
video prompt (six frames with uneven times, each temporal patch after its time) and a text-only
prompt, the processor's token ids, pixel values (little-endian float32 files) and grid, and the
positions and generation offset of `Qwen3_5Model.get_rope_index` on a tiny random Qwen3.5.

No weights are kept: the decoder is the Hub's export, not ours, and only the config reaches the
processor and the positions. As in the released processors, the image processor's smallest area is
above a Stage-1 frame's (there 65,536 pixels against 48 merged tokens of 1,024), while the video
processor's bound is on the whole clip, so frames keep their size; here 6,144 against 64 x 64.
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-qwen3_5")
REQUIREMENTS = os.path.join(HERE, "requirements-qwen3_5.txt")
sys.path.insert(0, HERE)

from input_reference import InputReference, main  # noqa: E402
from make_tiny import _tokenizer_kwargs  # noqa: E402
from tiny_tokenizer import CHAT_TEMPLATE, build_tokenizer  # noqa: E402

IMAGE_MIN_PIXELS = 6144
VIDEO_MIN_PIXELS = 4096
# The released processors' upper bounds (per image; per clip for video).
IMAGE_MAX_PIXELS = 16777216
VIDEO_MAX_PIXELS = 25165824
# The six frames' places in a 2 fps source: uneven times (0, 2.5, 4.5, 9, 13, 14.5 s) whose
# patch means (1.25, 6.75, 13.75) are exact ties of Python's one-decimal format.
VIDEO_FPS = 2.0
FRAME_INDICES = [0, 5, 9, 18, 26, 29]


def pinned_version() -> str:
    with open(REQUIREMENTS, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("transformers=="):
                return line.strip().split("==")[1]
    raise SystemExit(f"no transformers pin in {REQUIREMENTS}")


def tiny_config(ids: dict, vocab_size: int):
    from transformers import Qwen3_5Config

    return Qwen3_5Config(
        text_config=dict(
            vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, head_dim=32, layer_types=["linear_attention", "full_attention"],
            linear_conv_kernel_dim=4, linear_key_head_dim=16, linear_value_head_dim=16, linear_num_key_heads=2,
            linear_num_value_heads=4, max_position_embeddings=32768, rms_norm_eps=1e-6, initializer_range=0.1,
            rope_parameters={"rope_type": "default", "rope_theta": 10000000.0, "partial_rotary_factor": 0.25,
                             "mrope_section": [2, 1, 1], "mrope_interleaved": True},
            bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
        ),
        vision_config=dict(
            depth=1, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=16,
            temporal_patch_size=2, spatial_merge_size=2, num_position_embeddings=64, in_channels=3, initializer_range=0.1,
        ),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=False,
    )


def write_folder(folder: str):
    """The processor and config files; returns the config and load_processor."""
    from transformers import Qwen2VLImageProcessorPil, Qwen3VLVideoProcessor

    tokenizer_json, tokenizer_config, ids, vocab_size, _ = build_tokenizer()
    tokenizer_config = {**tokenizer_config, "processor_class": "Qwen3VLProcessor"}
    config = tiny_config(ids, vocab_size)
    os.makedirs(folder, exist_ok=True)
    # Every field, as the Hub's config.json lists them (a diff against the defaults would hide the
    # fields the worker reads).
    config.to_json_file(os.path.join(folder, "config.json"), use_diff=False)
    for name, value in (("tokenizer.json", tokenizer_json), ("tokenizer_config.json", tokenizer_config),
                        ("chat_template.json", {"chat_template": CHAT_TEMPLATE})):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False)
    shared = dict(patch_size=16, temporal_patch_size=2, merge_size=2, image_mean=[0.5] * 3, image_std=[0.5] * 3)
    image = Qwen2VLImageProcessorPil(size={"shortest_edge": IMAGE_MIN_PIXELS, "longest_edge": IMAGE_MAX_PIXELS}, **shared)
    video = Qwen3VLVideoProcessor(size={"shortest_edge": VIDEO_MIN_PIXELS, "longest_edge": VIDEO_MAX_PIXELS}, **shared)
    # transformers 5 saves one processor_config.json; the Hub's repositories (and transformers.js)
    # have a file per processor, naming the processor class.
    for name, processor in (("preprocessor_config.json", image), ("video_preprocessor_config.json", video)):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            json.dump({**processor.to_dict(), "processor_class": "Qwen3VLProcessor"}, handle, indent=2, sort_keys=True)
            handle.write("\n")
    return config, load_processor


def load_processor(folder: str):
    """The processor from the folder's files, its image processor on the PIL backend."""
    from transformers import Qwen2TokenizerFast, Qwen2VLImageProcessorPil, Qwen3VLProcessor, Qwen3VLVideoProcessor

    with open(os.path.join(folder, "tokenizer_config.json"), encoding="utf-8") as handle:
        tokenizer_config = json.load(handle)
    with open(os.path.join(folder, "chat_template.json"), encoding="utf-8") as handle:
        template = json.load(handle)["chat_template"]
    tokenizer = Qwen2TokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"), **_tokenizer_kwargs(tokenizer_config))
    return Qwen3VLProcessor(
        image_processor=Qwen2VLImageProcessorPil.from_pretrained(folder),
        tokenizer=tokenizer,
        video_processor=Qwen3VLVideoProcessor.from_pretrained(folder),
        chat_template=template,
    )


def _unusable() -> str | None:
    import transformers

    if transformers.__version__ != pinned_version():
        return f"transformers {transformers.__version__} is on the path, {pinned_version()} is needed; see {os.path.relpath(REQUIREMENTS, ROOT)}"
    return None


def _model_class():
    from transformers import Qwen3_5ForConditionalGeneration

    return Qwen3_5ForConditionalGeneration


SPEC = InputReference(
    name="qwen3_5",
    label="Qwen3.5",
    script="models/tiny/qwen3_5_reference.py",
    fixtures=FIXTURES,
    # Patch 16 x merge 2.
    side=32,
    config_files=(
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "chat_template.json",
        "preprocessor_config.json",
        "video_preprocessor_config.json",
    ),
    write_folder=write_folder,
    model_class=_model_class,
    rope_index=lambda model, inputs: model.model.get_rope_index(
        inputs["input_ids"],
        inputs["mm_token_type_ids"],
        image_grid_thw=inputs.get("image_grid_thw"),
        video_grid_thw=inputs.get("video_grid_thw"),
        attention_mask=inputs["attention_mask"],
    ),
    video_kwargs={
        "video_metadata": [{"fps": VIDEO_FPS, "frames_indices": FRAME_INDICES, "total_num_frames": FRAME_INDICES[-1] + 1}],
        "do_sample_frames": False,
        # qwen-vl-utils' per-frame cap (no effect at this size; silences the default's warning).
        "cap_pixels_per_frame": True,
    },
    video_entry={"frame_times": [index / VIDEO_FPS for index in FRAME_INDICES]},
    unusable=_unusable,
)


if __name__ == "__main__":
    sys.exit(main(SPEC, __doc__.split("\n\n")[0]))
