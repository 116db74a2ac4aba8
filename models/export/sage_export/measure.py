"""ONNX Runtime (Python, CPU) on one dtype of an export: load time and memory, vision, prefill and
decode time. Run in a process of its own so the memory figures are this dtype's alone:

    python -m sage_export.measure EXPORT DTYPE [--prefill N] [--steps N]

Prints one JSON object. Memory is the process's resident set after loading (VmRSS) and its peak
over the whole run (VmHWM), from /proc/self/status.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np


def status_gib(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 2**20, 2)
    return 0.0


def measure(folder: str, dtype: str, prefill: int, steps: int) -> dict:
    import onnxruntime as ort

    from .quantize import SUFFIX

    with open(os.path.join(folder, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    text = config.get("text_config", config)
    vision = config["vision_config"]
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    result: dict = {"threads": options.intra_op_num_threads, "rss_before_gib": status_gib("VmRSS")}
    sessions = {}
    started, cpu = time.monotonic(), time.process_time()
    for graph in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
        path = os.path.join(folder, "onnx", f"{graph}{SUFFIX[dtype]}.onnx")
        begun = time.monotonic()
        sessions[graph] = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        result[f"load_{graph}_s"] = round(time.monotonic() - begun, 1)
    result["load_s"] = round(time.monotonic() - started, 1)
    result["load_cpu_s"] = round(time.process_time() - cpu, 1)
    result["rss_loaded_gib"] = status_gib("VmRSS")

    half = dtype == "q4f16"
    float_type = np.float16 if half else np.float32
    rng = np.random.default_rng(0)
    # One Stage-1 temporal patch of a 16:9 source, as the app sizes it (models/README.md).
    patch = vision["patch_size"]
    grid = np.array([[1, 16, 28]] if patch == 14 else [[1, 14, 26]], dtype=np.int64)
    pixels = rng.standard_normal((int(grid.prod()), 3 * 2 * patch * patch)).astype(np.float32)
    begun, cpu = time.monotonic(), time.process_time()
    features = sessions["vision_encoder"].run(None, {"pixel_values": pixels, "image_grid_thw": grid})
    result["vision_one_temporal_patch_s"] = round(time.monotonic() - begun, 2)
    result["vision_one_temporal_patch_cpu_s"] = round(time.process_time() - cpu, 2)
    result["vision_tokens_per_temporal_patch"] = int(features[0].shape[0])

    decoder = sessions["decoder_model_merged"]
    embed = sessions["embed_tokens"]
    names = [meta.name for meta in decoder.get_inputs()]
    kv_heads = text["num_key_value_heads"]
    head_dim = text.get("head_dim") or text["hidden_size"] // text["num_attention_heads"]
    past = {name: np.zeros((1, kv_heads, 0, head_dim), dtype=float_type) for name in names if name.startswith("past_key_values")}
    deepstack_layers = len(vision.get("deepstack_visual_indexes", []))
    ids = rng.integers(0, 150000, size=(1, prefill), dtype=np.int64)
    length = prefill

    def run(input_ids, positions, past):
        embeds = embed.run(None, {"input_ids": input_ids})[0]
        feeds = {
            "inputs_embeds": embeds,
            "attention_mask": np.ones((1, length), dtype=np.int64),
            "position_ids": positions,
            "num_logits_to_keep": np.array(1, dtype=np.int64),
            **past,
        }
        if "deepstack_visual_embeds" in names:
            feeds["deepstack_visual_embeds"] = np.zeros((deepstack_layers, 1, input_ids.shape[1], embeds.shape[-1]), dtype=float_type)
        outputs = decoder.run(None, feeds)
        present = {name.replace("present", "past_key_values"): value for name, value in zip([o.name for o in decoder.get_outputs()][1:], outputs[1:])}
        return outputs[0], present

    positions = np.broadcast_to(np.arange(prefill, dtype=np.int64), (3, 1, prefill)).copy()
    begun, cpu = time.monotonic(), time.process_time()
    logits, past = run(ids, positions, past)
    result["prefill_tokens"] = prefill
    result["prefill_s"] = round(time.monotonic() - begun, 2)
    # CPU seconds of all threads: on a shared machine the honest measure of work (wall time on
    # N free cores is about this / N when the threads keep busy).
    result["prefill_cpu_s"] = round(time.process_time() - cpu, 2)
    result["logits_finite"] = bool(np.isfinite(logits.astype(np.float32)).all())
    times, cpu_times = [], []
    token = int(np.argmax(logits[0, -1]))
    for _ in range(steps):
        length += 1
        begun, cpu = time.monotonic(), time.process_time()
        logits, past = run(np.array([[token]], dtype=np.int64), np.full((3, 1, 1), length - 1, dtype=np.int64), past)
        times.append(time.monotonic() - begun)
        cpu_times.append(time.process_time() - cpu)
        token = int(np.argmax(logits[0, -1]))
    result["decode_steps"] = steps
    # The first step still warms caches; the median is the steady rate.
    result["decode_s_per_token"] = round(float(np.median(times)), 3)
    result["decode_cpu_s_per_token"] = round(float(np.median(cpu_times)), 3)
    result["rss_peak_gib"] = status_gib("VmHWM")
    # Other processes' share of the cores: the times above scale with it.
    result["load_average_1_5_15"] = [round(value, 1) for value in os.getloadavg()]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("dtype")
    parser.add_argument("--prefill", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(measure(args.folder, args.dtype, args.prefill, args.steps)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
