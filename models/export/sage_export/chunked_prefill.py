"""A prompt's prefill in chunks of C tokens, as the VLM worker runs a long Stage-1 prompt: chunk k
is one decoder run with the previous chunk's present.* as its past, an attention mask of ones over
the past and the chunk, the prompt's mRoPE position ids, inputs_embeds and DeepStack features
sliced to the chunk, and one logit kept; the last chunk's logits are the next token's. The decoder's
attention materialises [1, heads, C, past + C] scores instead of [1, heads, L, L].

    python -m sage_export.chunked_prefill run --model EXPORT --dtype q4 --tokens 5900 --chunk 512 --out DIR
    python -m sage_export.chunked_prefill compare DIR/one-shot DIR/chunk-512

`run` feeds the decoder graph alone (run it in a process of its own, one after another, so each
memory figure is that run's): seeded random inputs_embeds of the model's hidden size with the
standard deviation of the random-weight checkpoint's embedding rows (0.02, sage_export/full.py), a
text-style mRoPE position (all three axes = arange) and zero DeepStack features. `--chunk 0` is the
one-shot prefill. It writes DIR/logits.npy (the next-token logits, float32) and DIR/run.json: peak
RSS (VmHWM), CPU and wall seconds of the prefill, tokens per CPU second. `compare` prints the
largest absolute and relative difference of two runs' logits and whether their top-1 agrees.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

from . import prefill
from .prefill import chunked_prefill

EMBEDDING_STD = 0.02


# ---- measuring at full size ----


def synthetic_prompt(config: dict, tokens: int, dtype: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded inputs_embeds, text-style mRoPE positions and zero DeepStack features of `tokens` tokens."""
    hidden = config.get("text_config", config)["hidden_size"]
    float_type = prefill.float_type(dtype)
    embeds = (np.random.default_rng(seed).standard_normal((1, tokens, hidden), dtype=np.float32) * EMBEDDING_STD).astype(float_type)
    positions = np.broadcast_to(np.arange(tokens, dtype=np.int64), (3, 1, tokens)).copy()
    deepstack = np.zeros((prefill.deepstack_layers(config), 1, tokens, hidden), dtype=float_type)
    return embeds, positions, deepstack


def measure_run(model: str, dtype: str, tokens: int, chunk: int, out: str, threads: int, seed: int) -> dict:
    import onnxruntime as ort

    from .measure import status_gib
    from .quantize import SUFFIX

    with open(os.path.join(model, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    result: dict = {"model": os.path.abspath(model), "dtype": dtype, "tokens": tokens, "chunk": chunk if 0 < chunk < tokens else 0, "threads": threads, "seed": seed}
    begun, cpu = time.monotonic(), time.process_time()
    decoder = ort.InferenceSession(os.path.join(model, "onnx", f"decoder_model_merged{SUFFIX[dtype]}.onnx"), options, providers=["CPUExecutionProvider"])
    result["load_s"], result["load_cpu_s"] = round(time.monotonic() - begun, 1), round(time.process_time() - cpu, 1)
    embeds, positions, deepstack = synthetic_prompt(config, tokens, dtype, seed)
    result["rss_before_prefill_gib"] = status_gib("VmRSS")
    result["load_average_before"] = [round(value, 1) for value in os.getloadavg()]
    begun, cpu = time.monotonic(), time.process_time()
    logits, past = chunked_prefill(decoder, embeds, positions, deepstack, dtype, chunk)
    wall, cpu = time.monotonic() - begun, time.process_time() - cpu
    result["prefill_s"], result["prefill_cpu_s"] = round(wall, 2), round(cpu, 2)
    result["tokens_per_cpu_s"] = round(tokens / max(cpu, 1e-9), 2)
    result["load_average_after"] = [round(value, 1) for value in os.getloadavg()]
    result["rss_peak_gib"] = status_gib("VmHWM")
    result["ru_maxrss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    result["cache_bytes"] = int(sum(value.nbytes for value in past.values()))
    logits = logits[0, -1].astype(np.float32)
    result["logits_finite"] = bool(np.isfinite(logits).all())
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "logits.npy"), logits)
    with open(os.path.join(out, "run.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1)
    return result


def compare(reference: str, other: str) -> dict:
    """Two runs' next-token logits: largest absolute difference, that over the largest |logit|,
    and whether the top-1 token agrees."""
    expected = np.load(os.path.join(reference, "logits.npy")).astype(np.float64)
    got = np.load(os.path.join(other, "logits.npy")).astype(np.float64)
    diff = np.abs(got - expected)
    return {
        "reference": reference, "other": other,
        "max_abs": float(diff.max()),
        "max_rel": float(diff.max() / np.abs(expected).max()),
        "logit_scale": float(np.abs(expected).max()),
        "top1_agrees": bool(np.argmax(got) == np.argmax(expected)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sage_export.chunked_prefill", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="one prefill of the decoder graph, one-shot (--chunk 0) or chunked")
    run.add_argument("--model", required=True, help="an export folder (config.json, onnx/)")
    run.add_argument("--dtype", default="q4", choices=("fp32", "q4", "q4f16"))
    run.add_argument("--tokens", type=int, default=5900)
    run.add_argument("--chunk", type=int, default=512, help="tokens per decoder run (0: the whole prompt in one run)")
    run.add_argument("--out", required=True, help="folder for logits.npy and run.json")
    run.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    run.add_argument("--seed", type=int, default=20261207)
    cmp = commands.add_parser("compare", help="two runs' next-token logits")
    cmp.add_argument("reference")
    cmp.add_argument("other")
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(measure_run(args.model, args.dtype, args.tokens, args.chunk, args.out, args.threads, args.seed)), flush=True)
    else:
        print(json.dumps(compare(args.reference, args.other)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
