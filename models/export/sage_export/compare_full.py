"""An export against PyTorch on the same (random) weights, at full size: next-token logits and the
last hidden state for an image prompt, a Stage-1 video prompt and a text-only prompt.

    python -m sage_export.compare_full reference CHECKPOINT OUT [--frames 8] [--image 384x672] [--frame 224x416]
    python -m sage_export.compare_full onnx EXPORT DTYPE OUT
    python -m sage_export.compare_full report OUT [--dtypes fp32,q4,q4f16]
    python -m sage_export.compare_full same-weights CHECKPOINT EXPORT

`reference` (PyTorch transformers, float32) builds the three prompts with the checkpoint's
processor and writes each one's inputs (token ids, pixel values, grid, PyTorch's mRoPE position
ids) and outputs to OUT/<prompt>/*.npy. It runs each prompt three ways:

- `torch`: the model as transformers runs it (eager attention), in float32 (`float32_model`);
- `torch_reordered`: the same float32 model computed in another valid order (every linear layer
  summed in two halves of its input, SDPA attention), so its distance from `torch` is the size of
  float32 accumulation-order error at this depth and width: the yardstick for ONNX Runtime;
- `torch_q4`: every weight the 4-bit builds quantize (each linear layer's and the token
  embedding's) replaced by its 4-bit value from ONNX Runtime's own block quantizer (symmetric,
  blocks of 32), still in float32: what 4-bit weights alone do to the outputs.

It keeps only those outputs; nothing else of the model survives the process. `onnx` loads one
dtype's graphs in ONNX Runtime (Python, CPU), one graph at a time so a float32 build's peak is its
largest graph, feeds each prompt as the VLM worker does (sage_export/prefill.py) from the saved
inputs and writes OUT/<prompt>/<dtype>.*.npy; the decoder's final hidden state (the LM head's
input) is exposed as an extra output. `report` compares them (JSON on stdout, exit status 1 when
an fp32 export disagrees with PyTorch beyond the tolerance). `same-weights` checks that a
checkpoint is the one a 4-bit export was made from (its token embedding quantizes to the export's
bytes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time

import numpy as np

from .measure import status_gib

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tiny")
PROMPTS = ("image", "video", "text")
REFERENCE_RUNS = ("torch", "torch_reordered", "torch_q4")
# The release's Qwen3-VL Stage-1 video: 128 frames sampled evenly from the source, each
# 224x416 for a 16:9 source (models/README.md; tests/fixtures/release-stage1-video.json). The
# first frames of an hour-long 25-fps source give the timestamps.
STAGE1_SOURCE = {"fps": 25.0, "frames": 90000, "sampled": 128}
# fp32 export vs PyTorch: the logits' largest difference may be this many times the largest
# difference between PyTorch and PyTorch reordered (plus a floor for prompts where the two orders
# agree to the last bits); argued in docs/performance.md.
TOLERANCE_FACTOR = 10.0
TOLERANCE_FLOOR = 1e-4
TOP_K = 10


def _size(text: str) -> tuple[int, int]:
    height, width = (int(part) for part in text.lower().split("x"))
    return height, width


# ---- PyTorch ----


def pictures(image: tuple[int, int], frame: tuple[int, int], frames: int, seed: int = 20261207) -> dict[str, list[np.ndarray]]:
    """A seeded picture (gradients, noise) and video frames (a square moving over a shifting background)."""
    rng = np.random.default_rng(seed)

    def scene(height: int, width: int, shift: int) -> np.ndarray:
        y, x = np.mgrid[0:height, 0:width]
        base = np.stack([(x * 3 + shift) % 256, (y * 2 + shift) % 256, (x + y) % 256], axis=-1)
        return (base + rng.integers(0, 40, base.shape)) % 256

    picture = scene(*image, 0)
    video = []
    for index in range(frames):
        still = scene(*frame, 9 * index)
        top, left = (8 + 11 * index) % (frame[0] - 40), (16 + 23 * index) % (frame[1] - 40)
        still[top : top + 32, left : left + 32] = [240, 30, 30]
        video.append(still.astype(np.uint8))
    return {"image": [picture.astype(np.uint8)], "video": video}


def processor_for(checkpoint: str):
    """The checkpoint's image processor and tokenizer, with a video processor that keeps frames
    at the size they come in (they are already on the 32-px grid, as the app sizes them)."""
    from transformers import AutoImageProcessor, AutoTokenizer, Qwen3VLProcessor, Qwen3VLVideoProcessor

    image_processor = AutoImageProcessor.from_pretrained(checkpoint)
    video_processor = Qwen3VLVideoProcessor(
        size={"shortest_edge": 4096, "longest_edge": 16777216}, patch_size=image_processor.patch_size,
        temporal_patch_size=image_processor.temporal_patch_size, merge_size=image_processor.merge_size,
        image_mean=image_processor.image_mean, image_std=image_processor.image_std,
    )
    with open(os.path.join(checkpoint, "chat_template.json"), encoding="utf-8") as handle:
        template = json.load(handle)["chat_template"]
    return Qwen3VLProcessor(image_processor=image_processor, tokenizer=AutoTokenizer.from_pretrained(checkpoint), video_processor=video_processor, chat_template=template)


def prompt_inputs(processor, media: dict[str, list[np.ndarray]]) -> dict:
    """The three prompts through the processor (the tiny models' reference prompts, models/tiny/make_tiny.py)."""
    sys.path.insert(0, TINY)
    from make_tiny import CASES, prompt_text

    frames = len(media["video"])
    indices = np.linspace(0, STAGE1_SOURCE["frames"] - 1, STAGE1_SOURCE["sampled"]).round().astype(int)[:frames].tolist()
    inputs = {}
    for name in PROMPTS:
        kwargs: dict = {}
        if name == "image":
            kwargs["images"] = media["image"]
        if name == "video":
            kwargs["videos"] = [np.stack(media["video"])]
            kwargs["video_metadata"] = [{"fps": STAGE1_SOURCE["fps"], "frames_indices": indices, "total_num_frames": STAGE1_SOURCE["frames"]}]
            kwargs["do_sample_frames"] = False
        inputs[name] = processor(text=[prompt_text(processor, CASES[name])], return_tensors="pt", **kwargs)
    return inputs


def float32_model(checkpoint: str):
    """Qwen3VLForConditionalGeneration computing in float32 on the checkpoint's weights, in about
    half the memory of a float32 copy: the large matrices (every linear layer's weight and the
    token embedding) stay in the checkpoint's bfloat16, which float32 holds exactly, and are widened
    to float32 at each use (`widened_weights`); every other parameter and buffer is float32. The
    arithmetic is that of the model loaded in float32, operation for operation."""
    import torch
    from safetensors import safe_open
    from torch import nn
    from transformers import AutoConfig

    from . import skeleton
    from .checkpoint import inspect_checkpoint, tensor_keys

    model = skeleton.build(AutoConfig.from_pretrained(checkpoint))
    stored = inspect_checkpoint(checkpoint)
    keys, tensors = tensor_keys(type(model), stored), stored.tensors
    large = {id(model.get_input_embeddings().weight)} | {id(module.weight) for module in model.modules() if isinstance(module, nn.Linear)}
    loaded: dict[int, nn.Parameter] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        if id(param) not in loaded:
            key = keys[name]
            with safe_open(tensors[key][0], "pt") as handle:
                value = handle.get_tensor(key)
            loaded[id(param)] = nn.Parameter(value if id(param) in large else value.float(), requires_grad=False)
    for module in model.modules():
        for name, param in list(module._parameters.items()):
            if param is not None:
                module._parameters[name] = loaded[id(param)]
    return model


def _float_weight(module, rows=None):
    """A module's weight (all rows or the given ones) in float32: widened from bfloat16, or the
    values of its 4-bit form."""
    import torch

    from .weights import dequantize_rows

    four_bit = getattr(module, "four_bit", None)
    if four_bit is not None:
        packed, scales, k = four_bit
        if rows is not None:
            packed, scales = packed[rows], scales[rows]
        return torch.from_numpy(dequantize_rows(packed, scales.reshape(-1), k))
    weight = module.weight if rows is None else module.weight[torch.as_tensor(rows)]
    return weight.float()


@contextlib.contextmanager
def widened_weights(model, split_k: bool = False):
    """Linear layers and the token embedding use their weights in float32 (`_float_weight`). With
    `split_k`, each linear layer sums the products of its input's two halves: the same float32
    computation in another valid order."""
    import torch
    from torch import nn

    original = nn.Linear.forward

    def linear(self, x):
        weight = _float_weight(self)
        if split_k:
            half = x.shape[-1] // 2
            out = nn.functional.linear(x[..., :half], weight[:, :half]) + nn.functional.linear(x[..., half:], weight[:, half:])
        else:
            out = nn.functional.linear(x, weight)
        return out if self.bias is None else out + self.bias

    embedding = model.get_input_embeddings()
    nn.Linear.forward = linear
    embedding.forward = lambda ids: _float_weight(embedding, ids.reshape(-1).numpy()).reshape(*ids.shape, -1)
    try:
        with torch.no_grad():
            yield
    finally:
        nn.Linear.forward = original
        del embedding.forward


def quantize_weights_4bit(model) -> dict:
    """Puts in place of every weight a 4-bit build quantizes its 4-bit form: each linear layer's
    (all of them: vision tower, mergers, decoder, LM head) and the token embedding's (tied to the
    LM head or not), rows in blocks of 32 along the input, by ONNX Runtime's own quantizer; the
    bfloat16 weight is let go. Returns the relative error ||W - Q(W)|| / ||W|| over all of them."""
    import torch
    from torch import nn

    from .weights import dequantize_rows, quantize_rows

    forms: dict[int, tuple] = {}
    error, norm = 0.0, 0.0
    modules = [model.get_input_embeddings()] + [module for module in model.modules() if isinstance(module, nn.Linear)]
    for module in modules:
        weight = module.weight
        if id(weight) not in forms:
            rows, k = weight.shape
            packed, scales = [], []
            for start in range(0, rows, 4096):
                original = weight[start : start + 4096].float().numpy()
                part_packed, part_scales = quantize_rows(original)
                values = dequantize_rows(part_packed, part_scales, k)
                error += float(np.square(values - original, dtype=np.float64).sum())
                norm += float(np.square(original, dtype=np.float64).sum())
                packed.append(part_packed)
                scales.append(part_scales.reshape(part_packed.shape[0], -1))
            forms[id(weight)] = (np.concatenate(packed), np.concatenate(scales), k)
            # A zero-stride stand-in of the same shape: the bfloat16 copy is freed.
            weight.data = torch.zeros((), dtype=weight.dtype).expand(weight.shape)
        module.four_bit = forms[id(weight)]
    return {"matrices": len(forms), "relative_error": float(np.sqrt(error / norm))}


def run_reference(checkpoint: str, out: str, image: tuple[int, int], frame: tuple[int, int], frames: int) -> dict:
    import torch

    processor = processor_for(checkpoint)
    inputs = prompt_inputs(processor, pictures(image, frame, frames))
    started, cpu = time.monotonic(), time.process_time()
    model = float32_model(checkpoint)
    summary: dict = {"load_s": round(time.monotonic() - started, 1), "rss_loaded_gib": status_gib("VmRSS"), "threads": torch.get_num_threads(), "prompts": {}}
    config = model.config
    for name, batch in inputs.items():
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        grids = (batch["input_ids"], batch.get("image_grid_thw"), batch.get("video_grid_thw"))
        with torch.no_grad():
            positions, _ = model.model.get_rope_index(*grids, batch["attention_mask"])
        np.save(os.path.join(folder, "input_ids.npy"), batch["input_ids"].numpy())
        np.save(os.path.join(folder, "position_ids.npy"), positions.numpy())
        for pixels_key, grid_key, token in (("pixel_values", "image_grid_thw", config.image_token_id), ("pixel_values_videos", "video_grid_thw", config.video_token_id)):
            if pixels_key in batch:
                np.save(os.path.join(folder, "pixel_values.npy"), batch[pixels_key].numpy().astype(np.float32))
                np.save(os.path.join(folder, "grid_thw.npy"), batch[grid_key].numpy())
                np.save(os.path.join(folder, "visual_token_id.npy"), np.array(token, dtype=np.int64))
        visual = (batch["input_ids"] == config.image_token_id) | (batch["input_ids"] == config.video_token_id)
        summary["prompts"][name] = {"tokens": int(batch["input_ids"].shape[1]), "visual_tokens": int(visual.sum())}

    def forward(run: str) -> None:
        for name, batch in inputs.items():
            begun, cpu = time.monotonic(), time.process_time()
            hidden = model.model(**batch).last_hidden_state[:, -1:]
            logits = model.lm_head(hidden)
            np.save(os.path.join(out, name, f"{run}.hidden.npy"), hidden[0, -1].numpy())
            np.save(os.path.join(out, name, f"{run}.logits.npy"), logits[0, -1].numpy())
            summary["prompts"][name][f"{run}_s"] = round(time.monotonic() - begun, 1)
            summary["prompts"][name][f"{run}_cpu_s"] = round(time.process_time() - cpu, 1)
            print(f"{run} {name}: {summary['prompts'][name][f'{run}_cpu_s']} CPU s", file=sys.stderr, flush=True)

    with widened_weights(model):
        forward("torch")
    model.set_attn_implementation("sdpa")
    with widened_weights(model, split_k=True):
        forward("torch_reordered")
    model.set_attn_implementation("eager")
    summary["quantized_weights"] = quantize_weights_4bit(model)
    with widened_weights(model):
        forward("torch_q4")
    summary["rss_peak_gib"] = status_gib("VmHWM")
    summary["cpu_s"] = round(time.process_time() - cpu, 1)
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    return summary


# ---- ONNX Runtime ----


def _session(path: str, threads: int, hidden_output: bool = False):
    """An ONNX Runtime session on one graph file; with `hidden_output`, the decoder's LM-head input
    is also an output. Weights are not pre-packed (that would hold a second copy of them)."""
    import onnx
    import onnxruntime as ort
    from onnx import helper

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.disable_prepacking", "1")
    if not hidden_output:
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    model = onnx.load(path, load_external_data=False)
    producer = {output: node for node in model.graph.node for output in node.output}
    logits = next(output for output in model.graph.output if output.name == "logits")
    model.graph.output.append(helper.make_tensor_value_info(producer["logits"].input[0], logits.type.tensor_type.elem_type, None))
    options.add_session_config_entry("session.model_external_initializers_file_folder_path", os.path.dirname(path))
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def run_onnx(export: str, dtype: str, out: str, threads: int) -> dict:
    from . import prefill
    from .quantize import SUFFIX

    with open(os.path.join(export, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    path = lambda graph: os.path.join(export, "onnx", f"{graph}{SUFFIX[dtype]}.onnx")  # noqa: E731
    prompts = {name: {key[:-4]: np.load(os.path.join(out, name, key)) for key in os.listdir(os.path.join(out, name)) if not key.startswith(("torch", "fp32", "q4"))} for name in PROMPTS}
    summary: dict = {"dtype": dtype, "threads": threads, "load_s": {}, "prompts": {name: {} for name in PROMPTS}}
    cpu = time.process_time()

    def timed(graph: str, hidden_output: bool = False):
        begun = time.monotonic()
        session = _session(path(graph), threads, hidden_output)
        summary["load_s"][graph] = round(time.monotonic() - begun, 1)
        return session

    session = timed("vision_encoder")
    visual = {}
    for name, prompt in prompts.items():
        if "pixel_values" in prompt:
            begun = time.process_time()
            visual[name] = session.run(None, {"pixel_values": prompt["pixel_values"], "image_grid_thw": prompt["grid_thw"]})
            summary["prompts"][name]["vision_cpu_s"] = round(time.process_time() - begun, 1)
    del session
    session = timed("embed_tokens")
    embeds = {name: session.run(None, {"input_ids": prompt["input_ids"]})[0] for name, prompt in prompts.items()}
    del session
    decoder = timed("decoder_model_merged", hidden_output=True)
    summary["rss_decoder_loaded_gib"] = status_gib("VmRSS")
    layers = prefill.deepstack_layers(config)
    for name, prompt in prompts.items():
        ids = prompt["input_ids"]
        deepstack = np.zeros((layers, 1, ids.shape[1], embeds[name].shape[-1]), dtype=prefill.float_type(dtype))
        if name in visual:
            prefill.place_visual(embeds[name], ids, int(prompt["visual_token_id"]), visual[name], deepstack)
        begun = time.process_time()
        feeds = prefill.decoder_feeds(decoder, embeds[name], prompt["position_ids"], ids.shape[1], prefill.empty_past(decoder, dtype), deepstack)
        outputs = decoder.run(None, feeds)
        summary["prompts"][name]["prefill_cpu_s"] = round(time.process_time() - begun, 1)
        np.save(os.path.join(out, name, f"{dtype}.logits.npy"), outputs[0][0, -1].astype(np.float32))
        np.save(os.path.join(out, name, f"{dtype}.hidden.npy"), outputs[-1][0, -1].astype(np.float32))
    summary["rss_peak_gib"] = status_gib("VmHWM")
    summary["cpu_s"] = round(time.process_time() - cpu, 1)
    with open(os.path.join(out, f"onnx-{dtype}.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    return summary


# ---- comparing ----


def _relative(got: np.ndarray, expected: np.ndarray) -> float:
    return float(np.linalg.norm(got.astype(np.float64) - expected) / np.linalg.norm(expected.astype(np.float64)))


def agreement(got: np.ndarray, expected: np.ndarray) -> dict:
    """Largest absolute and relative (to the largest |logit|) difference, ||diff|| / ||expected||,
    whether the top token is the same, and how many of the expected top k are in the got top k."""
    diff = np.abs(got.astype(np.float64) - expected)
    top_got, top_expected = np.argsort(-got)[:TOP_K], np.argsort(-expected)[:TOP_K]
    return {
        "max_abs": float(diff.max()),
        "max_rel": float(diff.max() / np.abs(expected).max()),
        "rel_l2": _relative(got, expected),
        "top1": bool(top_got[0] == top_expected[0]),
        f"top{TOP_K}_shared": len(set(top_got.tolist()) & set(top_expected.tolist())),
    }


def report(out: str, dtypes: list[str]) -> dict:
    """The figures: fp32 export vs PyTorch against the float32 reordering yardstick, and each
    4-bit build vs the fp32 export, beside PyTorch with the same 4-bit weights vs PyTorch."""
    load = lambda name, run, part: np.load(os.path.join(out, name, f"{run}.{part}.npy"))  # noqa: E731
    result: dict = {"tolerance": {"factor": TOLERANCE_FACTOR, "floor": TOLERANCE_FLOOR}, "prompts": {}, "failures": []}
    for name in PROMPTS:
        torch_logits = load(name, "torch", "logits")
        entry: dict = {
            "logit_scale": float(np.abs(torch_logits).max()),
            "torch_reordered_vs_torch": agreement(load(name, "torch_reordered", "logits"), torch_logits),
            "torch_q4_vs_torch": {"logits_rel_l2": _relative(load(name, "torch_q4", "logits"), torch_logits), "hidden_rel_l2": _relative(load(name, "torch_q4", "hidden"), load(name, "torch", "hidden"))},
        }
        tolerance = max(TOLERANCE_FACTOR * entry["torch_reordered_vs_torch"]["max_abs"], TOLERANCE_FLOOR)
        entry["tolerance"] = tolerance
        if "fp32" in dtypes:
            fp32 = load(name, "fp32", "logits")
            entry["fp32_vs_torch"] = agreement(fp32, torch_logits)
            entry["fp32_vs_torch"]["hidden_rel_l2"] = _relative(load(name, "fp32", "hidden"), load(name, "torch", "hidden"))
            if entry["fp32_vs_torch"]["max_abs"] > tolerance or not entry["fp32_vs_torch"]["top1"]:
                result["failures"].append(f"{name}: fp32 export's logits differ from PyTorch's by {entry['fp32_vs_torch']['max_abs']:.3g} (tolerance {tolerance:.3g})")
        reference = "fp32" if "fp32" in dtypes else "torch"
        for dtype in dtypes:
            if dtype == "fp32":
                continue
            entry[f"{dtype}_vs_{reference}"] = {
                **agreement(load(name, dtype, "logits"), load(name, reference, "logits")),
                "hidden_rel_l2": _relative(load(name, dtype, "hidden"), load(name, reference, "hidden")),
            }
            # The 4-bit build against PyTorch with the same 4-bit weights: what is left is the
            # runtime's float32 (q4) or float16 (q4f16) arithmetic.
            entry[f"{dtype}_vs_torch_q4"] = {
                "logits_rel_l2": _relative(load(name, dtype, "logits"), load(name, "torch_q4", "logits")),
                "hidden_rel_l2": _relative(load(name, dtype, "hidden"), load(name, "torch_q4", "hidden")),
            }
        result["prompts"][name] = entry
    return result


def same_weights(checkpoint: str, export: str, rows: int = 1000) -> bool:
    """Whether the checkpoint's token embedding, first and last rows, quantizes to exactly the q4
    export's packed embedding and scales."""
    import onnx
    from onnx import numpy_helper
    from safetensors import safe_open

    from .weights import quantize_rows

    from .checkpoint import inspect_checkpoint

    stored = inspect_checkpoint(checkpoint).tensors
    key = next(name for name in stored if name.endswith("embed_tokens.weight"))
    graph = onnx.load(os.path.join(export, "onnx", "embed_tokens_q4.onnx"))
    tensors = {tensor.name: tensor for tensor in graph.graph.initializer}
    packed_name = next(name for name in tensors if name.endswith("_Q4"))
    packed = numpy_helper.to_array(tensors[packed_name])
    scales = numpy_helper.to_array(tensors[packed_name[: -len("_Q4")] + "_scales"])
    rows = min(rows, packed.shape[0])
    with safe_open(stored[key][0], "pt") as handle:
        table = handle.get_slice(key)
        for part in (slice(0, rows), slice(packed.shape[0] - rows, packed.shape[0])):
            got_packed, got_scales = quantize_rows(np.ascontiguousarray(table[part].float().numpy()))
            if not (np.array_equal(got_packed.reshape(packed[part].shape), packed[part]) and np.array_equal(got_scales.reshape(scales[part].shape), scales[part])):
                return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sage_export.compare_full", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ref = commands.add_parser("reference", help="PyTorch float32 outputs and the prompts' inputs")
    ref.add_argument("checkpoint")
    ref.add_argument("out")
    ref.add_argument("--image", default="384x672", help="image height x width (default 384x672: 252 tokens)")
    ref.add_argument("--frame", default="224x416", help="video frame height x width (default: the release's Stage-1 size for a 16:9 source)")
    ref.add_argument("--frames", type=int, default=8, help="video frames (default 8: four temporal patches)")
    onnx_parser = commands.add_parser("onnx", help="ONNX Runtime outputs of one dtype on the saved inputs")
    onnx_parser.add_argument("export")
    onnx_parser.add_argument("dtype", choices=("fp32", "q4", "q4f16"))
    onnx_parser.add_argument("out")
    onnx_parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    rep = commands.add_parser("report", help="compare the saved outputs")
    rep.add_argument("out")
    rep.add_argument("--dtypes", default="fp32,q4,q4f16")
    same = commands.add_parser("same-weights", help="is CHECKPOINT the one EXPORT's 4-bit build was made from?")
    same.add_argument("checkpoint")
    same.add_argument("export")
    args = parser.parse_args(argv)
    if args.command == "reference":
        print(json.dumps(run_reference(args.checkpoint, args.out, _size(args.image), _size(args.frame), args.frames)))
    elif args.command == "onnx":
        print(json.dumps(run_onnx(args.export, args.dtype, args.out, args.threads)))
    elif args.command == "report":
        result = report(args.out, args.dtypes.split(","))
        print(json.dumps(result, indent=1))
        return 1 if result["failures"] else 0
    else:
        same_result = same_weights(args.checkpoint, args.export)
        print("same weights" if same_result else "different weights")
        return 0 if same_result else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
