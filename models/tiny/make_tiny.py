#!/usr/bin/env python3
"""Make the tiny random-weight Qwen2.5-VL the tests run, and PyTorch's answers for it.

    python models/tiny/make_tiny.py            # (re)writes the model and the reference values
    python models/tiny/make_tiny.py --check    # recomputes the reference and compares (CI)

Run it with the export tool's environment (models/export/requirements.txt). It

1. builds a Qwen2.5-VL from a config with `transformers` (no download): the real architecture and
   processor layout (14-px patches, 2-frame temporal patches, 2x2 merge, 112-px windows, mRoPE),
   at a size of a few hundred kilobytes, with seeded random weights;
2. exports it with `models/export` (`python -m sage_export`) to models/tiny/tiny-random-qwen2_5_vl/
   in every dtype, with the prompt pack read from models/tiny/release-stand-in/ (a stand-in in our
   own words with the release's file layout and template slots, not the release's text);
3. writes tests/fixtures/tiny-vlm/: the test pictures and, for an image prompt, a video prompt and
   a text-only prompt, PyTorch's processor outputs, mRoPE position ids, next-token logits and
   greedy tokens (reference.json, pixel values as little-endian float32 files), plus the q4 and
   q4f16 exports' greedy agreement measured with ONNX Runtime.

Two choices keep the test meaningful: the LM head's weights are large (so greedy choices are not
near-ties that float32 rounding could flip), and one embedding direction is constant and read by
the LM head so special tokens and non-ASCII bytes never win: replies are plain ASCII that always
run to max_new_tokens, which the streaming and interrupt tests rely on. No layer writes to that
direction, so it reaches the LM head unchanged at every text position.

In the q4 and q4f16 builds that constant (3.0 among values of about 0.1) sets the scale of the
first 32-wide 4-bit block of every embedding row, so the block's other 31 values round to zero
(the other block keeps the 8.5% error 4 bits give): a text-only prompt's greedy tokens part from
PyTorch's at once on the tiny Qwen2.5-VL, while visual tokens, which come from the vision encoder,
keep all 12. A property of this tiny model, not of the quantizer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.join(HERE, "tiny-random-qwen2_5_vl")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-vlm")
QWEN3_MODEL_DIR = os.path.join(HERE, "tiny-random-qwen3_vl")
QWEN3_FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-vlm-qwen3")
RELEASE_STAND_IN = os.path.join(HERE, "release-stand-in")
EXPORT_TOOL = os.path.join(ROOT, "models", "export")
sys.path.insert(0, HERE)
sys.path.insert(0, EXPORT_TOOL)

from tiny_tokenizer import CHAT_TEMPLATE, build_tokenizer, write_tokenizer  # noqa: E402

SEED = 20251213
GREEDY_STEPS = 12
# A video fps whose seconds per temporal patch (2 / 0.8 = 2.5) is fractional: the reference
# truncates it to whole seconds before scaling positions, and the worker must do the same.
VIDEO_FPS = 0.8
LOGIT_TOLERANCE = 1e-4


def build_checkpoint(folder: str) -> None:
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    _, _, ids, vocab_size, _ = build_tokenizer()
    special = {
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|endoftext|>"],
    }
    config = Qwen2_5_VLConfig(
        text_config=dict(
            vocab_size=vocab_size,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=1,
            num_attention_heads=4,
            num_key_value_heads=2,
            rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]},
            rope_theta=1000000.0,
            max_position_embeddings=32768,
            rms_norm_eps=1e-6,
            initializer_range=0.1,
            tie_word_embeddings=False,
            **special,
        ),
        vision_config=dict(
            depth=2,
            hidden_size=32,
            intermediate_size=64,
            num_heads=2,
            out_hidden_size=64,
            fullatt_block_indexes=[1],
            window_size=112,
            patch_size=14,
            temporal_patch_size=2,
            spatial_merge_size=2,
            tokens_per_second=2,
            in_channels=3,
            initializer_range=0.1,
        ),
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=False,
        **special,
    )
    tokenizer = _save_weights_and_tokenizer(Qwen2_5_VLForConditionalGeneration, config, folder)
    bounds = dict(min_pixels=3136, max_pixels=12845056, patch_size=14, temporal_patch_size=2, merge_size=2)
    processor = Qwen2_5_VLProcessor(
        image_processor=Qwen2VLImageProcessor(**bounds),
        tokenizer=tokenizer,
        video_processor=Qwen2VLVideoProcessor(**bounds),
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(folder)
    # transformers.js reads the template from chat_template.json.
    with open(os.path.join(folder, "chat_template.json"), "w", encoding="utf-8") as handle:
        json.dump({"chat_template": CHAT_TEMPLATE}, handle)


def build_qwen3_checkpoint(folder: str) -> None:
    """The same, for Qwen3-VL (the smaller SAGE-MMs): 16-px patches, a learned position table,
    DeepStack from two of three vision blocks into the first two of three decoder layers."""
    from transformers import (
        Qwen2VLImageProcessor,
        Qwen3VLConfig,
        Qwen3VLForConditionalGeneration,
        Qwen3VLProcessor,
        Qwen3VLVideoProcessor,
    )

    _, _, ids, vocab_size, _ = build_tokenizer()
    special = {"bos_token_id": ids["<|endoftext|>"], "eos_token_id": ids["<|im_end|>"], "pad_token_id": ids["<|endoftext|>"]}
    config = Qwen3VLConfig(
        text_config=dict(
            vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
            num_key_value_heads=2, head_dim=16, rope_scaling={"rope_type": "default", "mrope_section": [2, 3, 3], "mrope_interleaved": True},
            rope_theta=5000000.0, max_position_embeddings=32768, rms_norm_eps=1e-6, initializer_range=0.1,
            tie_word_embeddings=False, **special,
        ),
        vision_config=dict(
            depth=3, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=16, temporal_patch_size=2,
            spatial_merge_size=2, num_position_embeddings=64, deepstack_visual_indexes=[0, 1], in_channels=3, initializer_range=0.1,
        ),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"], vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"], tie_word_embeddings=False, **special,
    )
    tokenizer = _save_weights_and_tokenizer(Qwen3VLForConditionalGeneration, config, folder)
    bounds = dict(min_pixels=4096, max_pixels=16777216, patch_size=16, temporal_patch_size=2, merge_size=2, image_mean=[0.5] * 3, image_std=[0.5] * 3)
    processor = Qwen3VLProcessor(
        image_processor=Qwen2VLImageProcessor(**bounds),
        tokenizer=tokenizer,
        video_processor=Qwen3VLVideoProcessor(
            size={"shortest_edge": 4096, "longest_edge": 16777216},
            **{k: v for k, v in bounds.items() if k not in ("min_pixels", "max_pixels")},
        ),
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(folder)
    with open(os.path.join(folder, "chat_template.json"), "w", encoding="utf-8") as handle:
        json.dump({"chat_template": CHAT_TEMPLATE}, handle)


def ascii_only(text, lm_head, vocab_size: int, first_added: int) -> None:
    """One embedding direction no layer writes to, read by the LM head: special tokens and
    non-ASCII bytes never win, and a large LM head keeps greedy choices clear of near-ties.
    `text` is the text model (embed_tokens and layers with self_attn.o_proj and mlp.down_proj)."""
    with torch.no_grad():
        text.embed_tokens.weight[:, 0] = 3.0
        for layer in text.layers:
            layer.self_attn.o_proj.weight[0, :] = 0.0
            layer.mlp.down_proj.weight[0, :] = 0.0
        head = lm_head.weight
        head.normal_(0.0, 1.0)
        printable = set(range(0x20, 0x7F)) | {0x0A}
        suppressed = [b for b in range(256) if b not in printable] + list(range(first_added, vocab_size))
        head[:, 0] = 4.0
        head[suppressed, 0] = -4.0


def _save_weights_and_tokenizer(model_class, config, folder: str):
    """Seeded weights (with the ASCII bias), saved with the tiny tokenizer; returns the tokenizer."""
    from transformers import Qwen2TokenizerFast

    tokenizer_json, tokenizer_config, _, vocab_size, first_added = build_tokenizer()
    torch.manual_seed(SEED)
    model = model_class(config).eval()
    ascii_only(model.model.language_model, model.lm_head, vocab_size, first_added)
    model.generation_config.do_sample = False
    model.save_pretrained(folder)
    write_tokenizer(folder, tokenizer_json, tokenizer_config)
    return Qwen2TokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"), **_tokenizer_kwargs(tokenizer_config))


def _tokenizer_kwargs(config: dict) -> dict:
    keys = ("eos_token", "pad_token", "bos_token", "unk_token", "additional_special_tokens", "model_max_length", "errors")
    return {key: config[key] for key in keys if key in config}


def pictures(side: int) -> dict[str, list[np.ndarray]]:
    """Seeded pictures whose sides are multiples of `side` (patch x merge), so no processor resizes them."""
    rng = np.random.default_rng(SEED)
    y, x = np.mgrid[0 : 2 * side, 0 : 3 * side]
    image = np.stack([x * 3, y * 4, (x + y) * 2], axis=-1) % 256
    image = (image + rng.integers(0, 40, image.shape)) % 256
    frames = []
    for index in range(6):
        frame = np.full((2 * side, 2 * side, 3), 30 + 20 * index, dtype=np.int64)
        frame[8 + index * 6 : 20 + index * 6, 10:30] = [250, 40, 40]
        frames.append((frame + rng.integers(0, 25, frame.shape)) % 256)
    return {"image": [image.astype(np.uint8)], "video": [frame.astype(np.uint8) for frame in frames]}


CASES = {
    "image": {
        "system": "You describe pictures.",
        "content": [{"type": "image"}, {"type": "text", "text": "What is in the picture?"}],
    },
    "video": {
        "system": None,
        "content": [{"type": "video"}, {"type": "text", "text": "What happens in the video?"}],
    },
    "text": {"system": None, "content": [{"type": "text", "text": "Say something about videos."}]},
}


def save_pictures(media: dict[str, list[np.ndarray]], folder: str, with_video: bool = True) -> None:
    """The test pictures as the browser tests load them: image.png and frame-N.png."""
    os.makedirs(folder, exist_ok=True)
    Image.fromarray(media["image"][0]).save(os.path.join(folder, "image.png"))
    if with_video:
        for index, frame in enumerate(media["video"]):
            Image.fromarray(frame).save(os.path.join(folder, f"frame-{index}.png"))


def prompt_text(processor, case: dict) -> str:
    """A case's prompt through the processor's chat template, ready for generation."""
    messages = ([{"role": "system", "content": case["system"]}] if case["system"] else []) + [
        {"role": "user", "content": case["content"]}
    ]
    return processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def record_pixels(entry: dict, name: str, inputs) -> np.ndarray | None:
    """Puts a visual case's grid and pixel summary in its reference entry; returns the pixels (float32) to write."""
    pixel_key = {"image": "pixel_values", "video": "pixel_values_videos"}.get(name)
    if not pixel_key:
        return None
    grid_key = "image_grid_thw" if name == "image" else "video_grid_thw"
    pixels = inputs[pixel_key].numpy().astype("<f4")
    entry["grid_thw"] = inputs[grid_key][0].tolist()
    entry["pixel_values_shape"] = list(pixels.shape)
    entry["pixel_values_file"] = f"{name}-pixel-values.f32"
    entry["pixel_values_sum"] = float(pixels.astype(np.float64).sum())
    return pixels


class Family:
    """One tiny model: how it is built, where it goes, which prompts its reference covers."""

    def __init__(self, name, build, model_dir, fixtures, side, cases, release):
        self.name, self.build, self.model_dir, self.fixtures = name, build, model_dir, fixtures
        self.side, self.cases, self.release = side, cases, release


FAMILIES = [
    Family("qwen2_5_vl", build_checkpoint, MODEL_DIR, FIXTURES, 28, ("image", "video", "text"), True),
    Family("qwen3_vl", build_qwen3_checkpoint, QWEN3_MODEL_DIR, QWEN3_FIXTURES, 32, ("image", "video", "text"), False),
]


def reference(family: Family, checkpoint: str, write: bool) -> dict:
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(family.model_dir)
    model = AutoModelForImageTextToText.from_pretrained(checkpoint, attn_implementation="eager").eval()
    media = pictures(family.side)
    if write:
        save_pictures(media, family.fixtures, with_video="video" in family.cases)

    cases = {}
    for name in family.cases:
        text = prompt_text(processor, CASES[name])
        kwargs = {}
        if name == "image":
            kwargs["images"] = media["image"]
        if name == "video":
            kwargs["videos"] = [np.stack(media["video"])]
            if family.name == "qwen2_5_vl":
                kwargs["fps"] = VIDEO_FPS
            else:
                # Qwen3-VL writes each temporal patch's time into the text; frames one second apart.
                kwargs["video_metadata"] = [{"fps": 1.0, "frames_indices": list(range(len(media["video"]))), "total_num_frames": len(media["video"])}]
                kwargs["do_sample_frames"] = False
        inputs = processor(text=[text], return_tensors="pt", **kwargs)
        with torch.no_grad():
            grids = (inputs["input_ids"], inputs.get("image_grid_thw"), inputs.get("video_grid_thw"))
            if family.name == "qwen2_5_vl":
                position_ids, deltas = model.model.get_rope_index(*grids, inputs.get("second_per_grid_ts"), inputs["attention_mask"])
            else:
                position_ids, deltas = model.model.get_rope_index(*grids, inputs["attention_mask"])
            out = model(**inputs)
            generated = model.generate(**inputs, max_new_tokens=GREEDY_STEPS, do_sample=False, repetition_penalty=1.0)
            greedy = generated[0, inputs["input_ids"].shape[1] :].tolist()
            margins = _greedy_margins(model, inputs, greedy)
        entry = {
            "text": text,
            "input_ids": inputs["input_ids"][0].tolist(),
            "position_ids": position_ids[:, 0, :].tolist(),
            "rope_delta": int(deltas[0, 0]),
            "next_token_logits": [round(float(v), 7) for v in out.logits[0, -1]],
            "greedy_tokens": greedy,
            "min_greedy_margin": round(min(margins), 5),
        }
        pixels = record_pixels(entry, name, inputs)
        if pixels is not None and write:
            pixels.tofile(os.path.join(family.fixtures, entry["pixel_values_file"]))
        if name == "video" and family.name == "qwen2_5_vl":
            entry["fps"] = VIDEO_FPS
            entry["second_per_grid_t"] = float(inputs["second_per_grid_ts"][0])
        if name == "video" and family.name == "qwen3_vl":
            entry["frame_times"] = [float(index) for index in range(len(media["video"]))]
        cases[name] = entry
    return cases


def _greedy_margins(model, inputs, greedy) -> list[float]:
    """Gap between the best and second-best logit at each greedy step."""
    ids = torch.cat([inputs["input_ids"], torch.tensor([greedy[:-1]])], dim=1)
    extended = dict(inputs)
    extended["input_ids"] = ids
    extended["attention_mask"] = torch.ones_like(ids)
    logits = model(**extended).logits[0, inputs["input_ids"].shape[1] - 1 :]
    top = logits.topk(2, dim=-1).values
    return (top[:, 0] - top[:, 1]).tolist()


def greedy_tokens(family: Family, dtype: str, case: dict, steps: int) -> list[int]:
    """Greedy decoding of one export with ONNX Runtime, fed the reference's inputs and positions
    (and, for Qwen3-VL, the DeepStack features scattered to the visual positions at prefill)."""
    import onnxruntime as ort

    from sage_export import prefill
    from sage_export.quantize import SUFFIX

    def session(graph: str):
        path = os.path.join(family.model_dir, "onnx", f"{graph}{SUFFIX[dtype]}.onnx")
        return ort.InferenceSession(path, providers=["CPUExecutionProvider"])

    with open(os.path.join(family.model_dir, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    embed, decoder = session("embed_tokens"), session("decoder_model_merged")
    float_type = prefill.float_type(dtype)
    ids = np.array([case["input_ids"]], dtype=np.int64)
    embeds = embed.run(None, {"input_ids": ids})[0]
    layers = prefill.deepstack_layers(config)
    deepstack = np.zeros((layers, 1, ids.shape[1], embeds.shape[-1]), dtype=float_type)
    if "pixel_values_file" in case:
        pixels = np.fromfile(os.path.join(family.fixtures, case["pixel_values_file"]), dtype="<f4").reshape(case["pixel_values_shape"])
        grid = np.array([case["grid_thw"]], dtype=np.int64)
        outputs = session("vision_encoder").run(None, {"pixel_values": pixels, "image_grid_thw": grid})
        token = config["video_token_id"] if "fps" in case or "frame_times" in case else config["image_token_id"]
        prefill.place_visual(embeds, ids, token, outputs, deepstack)
    positions = np.array(case["position_ids"], dtype=np.int64)[:, None, :]
    length = ids.shape[1]
    logits, past = prefill.chunked_prefill(decoder, embeds, positions, deepstack, dtype, 0)
    return prefill.greedy_continue(decoder, embed, logits, past, length, length + case["rope_delta"], layers, dtype, steps)


def quantized_agreement(family: Family, cases: dict) -> dict:
    """Greedy tokens of each export (ONNX Runtime, CPU) against PyTorch's; fp32 must match all."""
    result = {}
    for dtype in ("fp32", "q4", "q4f16"):
        per_case = {}
        for name, case in cases.items():
            tokens = greedy_tokens(family, dtype, case, GREEDY_STEPS)
            reference_tokens = case["greedy_tokens"]
            matched = next((i for i, (a, b) in enumerate(zip(tokens, reference_tokens)) if a != b), len(reference_tokens))
            per_case[name] = {"tokens": tokens, "matching_prefix": matched, "of": len(reference_tokens)}
        result[dtype] = per_case
    return result


def make(family: Family, checkpoint: str) -> None:
    command = [sys.executable, "-m", "sage_export", checkpoint, family.model_dir, "--force"]
    if family.release:
        command += ["--release", RELEASE_STAND_IN]
    subprocess.run(command, check=True, cwd=EXPORT_TOOL)
    # The export is a test artifact: record where it came from, not the temporary folder.
    report_path = os.path.join(family.model_dir, "export_report.json")
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
    report["source"] = "models/tiny/make_tiny.py (seeded random weights)"
    report.pop("exported_at", None)
    report.pop("peak_memory_gib", None)
    with open(report_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    shutil.rmtree(family.fixtures, ignore_errors=True)
    cases = reference(family, checkpoint, write=True)
    document = {
        "made_by": "models/tiny/make_tiny.py",
        "logit_tolerance": LOGIT_TOLERANCE,
        "cases": cases,
        "quantized_greedy_agreement": quantized_agreement(family, cases),
    }
    with open(os.path.join(family.fixtures, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    for name, case in cases.items():
        print(f"{family.name} {name}: {len(case['input_ids'])} tokens, greedy margin >= {case['min_greedy_margin']}")
    agreement = document["quantized_greedy_agreement"]
    print(family.name, json.dumps({dtype: {n: f"{c['matching_prefix']}/{c['of']}" for n, c in per.items()} for dtype, per in agreement.items()}))


def check(family: Family, checkpoint: str) -> list[str]:
    with open(os.path.join(family.fixtures, "reference.json"), encoding="utf-8") as handle:
        committed = json.load(handle)["cases"]
    problems = []
    for name, case in reference(family, checkpoint, write=False).items():
        old = committed[name]
        for key in ("input_ids", "position_ids", "greedy_tokens", "grid_thw", "rope_delta"):
            if case.get(key) != old.get(key):
                problems.append(f"{family.name} {name}.{key} differs")
        drift = float(np.abs(np.array(case["next_token_logits"]) - np.array(old["next_token_logits"])).max())
        if drift > LOGIT_TOLERANCE:
            problems.append(f"{family.name} {name}.next_token_logits drift {drift:.2e}")
    return problems


def four_bit_problems(family: Family) -> list[str]:
    """The committed q4 and q4f16 builds must hold the token embedding and the (untied) LM head in
    4 bits, as models/export writes them for a real model, so the browser tests run those operators:
    a float Gather or MatMul there is a stale export."""
    import onnx

    from sage_export.quantize import SUFFIX

    problems = []
    for dtype in ("q4", "q4f16"):
        folder = os.path.join(family.model_dir, "onnx")
        embed = onnx.load(os.path.join(folder, f"embed_tokens{SUFFIX[dtype]}.onnx"))
        ops = [node.op_type for node in embed.graph.node]
        if ops != ["GatherBlockQuantized"]:
            problems.append(f"{family.name} embed_tokens{SUFFIX[dtype]}.onnx runs {ops}, not one GatherBlockQuantized")
        decoder = onnx.load(os.path.join(folder, f"decoder_model_merged{SUFFIX[dtype]}.onnx"))
        head = next(node.op_type for node in decoder.graph.node if "logits" in node.output)
        if head != "MatMulNBits":
            problems.append(f"{family.name} decoder_model_merged{SUFFIX[dtype]}.onnx computes the logits with {head}, not MatMulNBits")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="recompute the PyTorch reference and compare it with the committed one")
    args = parser.parse_args()
    problems: list[str] = []
    for family in FAMILIES:
        with tempfile.TemporaryDirectory() as scratch:
            checkpoint = os.path.join(scratch, "checkpoint")
            family.build(checkpoint)
            if args.check:
                problems += check(family, checkpoint) + four_bit_problems(family)
            else:
                make(family, checkpoint)
    if args.check:
        if problems:
            print("the committed tiny models or their references are stale; run python models/tiny/make_tiny.py:\n  " + "\n  ".join(problems))
            return 1
        print(f"tiny references are current ({', '.join(family.name for family in FAMILIES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
