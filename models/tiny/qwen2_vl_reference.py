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

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-qwen2_vl")
sys.path.insert(0, HERE)

from input_reference import InputReference, main  # noqa: E402
from make_tiny import _tokenizer_kwargs  # noqa: E402
from tiny_tokenizer import CHAT_TEMPLATE, build_tokenizer  # noqa: E402

MIN_PIXELS = 3136
MAX_PIXELS = 12845056
# Any rate: Qwen2-VL's positions do not depend on it (the test gives the worker another).
VIDEO_FPS = 0.8


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
    """The processor and config files; returns the config and the processor (for any folder)."""
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
    return config, lambda _folder: processor


def _model_class():
    from transformers import Qwen2VLForConditionalGeneration

    return Qwen2VLForConditionalGeneration


SPEC = InputReference(
    name="qwen2_vl",
    label="Qwen2-VL",
    script="models/tiny/qwen2_vl_reference.py",
    fixtures=FIXTURES,
    # Patch 14 x merge 2.
    side=28,
    config_files=("config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json"),
    write_folder=write_folder,
    model_class=_model_class,
    rope_index=lambda model, inputs: model.model.get_rope_index(
        inputs["input_ids"], inputs.get("image_grid_thw"), inputs.get("video_grid_thw"), inputs["attention_mask"]
    ),
    video_kwargs={"fps": VIDEO_FPS},
)


if __name__ == "__main__":
    sys.exit(main(SPEC, __doc__.split("\n\n")[0]))
