"""Full-size random-weight builds, for measuring (`npm run export:full`; not part of `npm test`).

    python -m sage_export.full BASE [--dtypes q4f16,q4] [--out DIR] [--measure [--lock FILE]] [--share-layers] [--layers N] [--vision-depth N]

1. writes a random-weight checkpoint with BASE's published configuration, shard by shard (one
   shard of at most SHARD_BYTES in memory at a time), with a tokenizer whose Qwen special tokens
   sit at the real ids (151643 on) and a processor with the family's patch sizes;
2. exports it with `python -m sage_export` in a child process, whose peak RSS is measured by the
   kernel (getrusage of the children), with the tool's progress bar;
3. with --measure, loads each dtype's three graphs in ONNX Runtime (Python, CPU; one child process
   per dtype, so each memory figure is that dtype's alone) and times a prefill and decode steps;
4. writes DIR/export_report.json: the configuration and where each number comes from, the
   checkpoint, the export's time and peak memory, every file's size, each dtype's download total
   and largest tensor, and the runtime figures.

--layers and --vision-depth shrink the depth for tests (widths and vocabulary stay full size).
--share-layers stores each layer's tensors once for all layers (write_checkpoint says how), for a
disk too small for the 7B's or 8B's 17 GB checkpoint beside its builds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.dirname(HERE)
TINY = os.path.join(os.path.dirname(TOOL), "tiny")
SHARD_BYTES = 1 << 30
FIRST_ADDED_ID = 151643  # Qwen2.5-VL's and Qwen3-VL's <|endoftext|>; the added tokens follow in order

# The published config.json of each base model on the Hugging Face Hub (Qwen/<name>), as far as
# the shapes go; the values were read from public copies of those files (the Hub itself is not
# reachable from the machine this was written on). Special token ids are the family's.
_QWEN_IDS = dict(image_token_id=151655, video_token_id=151656, vision_start_token_id=151652, vision_end_token_id=151653, bos_token_id=151643, eos_token_id=151645)
BASES = {
    "qwen2.5-vl-3b": {
        "source": "Qwen/Qwen2.5-VL-3B-Instruct config.json",
        "config": dict(
            model_type="qwen2_5_vl", architectures=["Qwen2_5_VLForConditionalGeneration"], hidden_size=2048, intermediate_size=11008,
            num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True,
            rope_theta=1000000.0, rms_norm_eps=1e-6, max_position_embeddings=128000, hidden_act="silu", torch_dtype="bfloat16",
            rope_scaling={"type": "mrope", "mrope_section": [16, 24, 24]}, **_QWEN_IDS,
            vision_config=dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, out_hidden_size=2048, patch_size=14,
                               spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[7, 15, 23, 31],
                               tokens_per_second=2, hidden_act="silu", in_chans=3),
        ),
    },
    "qwen2.5-vl-7b": {
        "source": "Qwen/Qwen2.5-VL-7B-Instruct config.json (the base of allenai/SAGE-MM-Qwen2.5-VL-7B-SFT_RL)",
        "config": dict(
            model_type="qwen2_5_vl", architectures=["Qwen2_5_VLForConditionalGeneration"], hidden_size=3584, intermediate_size=18944,
            num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False,
            rope_theta=1000000.0, rms_norm_eps=1e-6, max_position_embeddings=128000, hidden_act="silu", torch_dtype="bfloat16",
            rope_scaling={"type": "mrope", "mrope_section": [16, 24, 24]}, **_QWEN_IDS,
            vision_config=dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, out_hidden_size=3584, patch_size=14,
                               spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[7, 15, 23, 31],
                               tokens_per_second=2, hidden_act="silu", in_chans=3),
        ),
    },
    "qwen3-vl-4b": {
        "source": "Qwen/Qwen3-VL-4B-Instruct config.json (the base of allenai/SAGE-MM-Qwen3-VL-4B-SFT_RL)",
        "config": dict(
            model_type="qwen3_vl", architectures=["Qwen3VLForConditionalGeneration"], tie_word_embeddings=True, **_QWEN_IDS,
            text_config=dict(hidden_size=2560, intermediate_size=9728, num_hidden_layers=36, num_attention_heads=32, num_key_value_heads=8,
                             head_dim=128, vocab_size=151936, tie_word_embeddings=True, rope_theta=5000000, rms_norm_eps=1e-6,
                             max_position_embeddings=262144, hidden_act="silu", dtype="bfloat16",
                             rope_scaling={"rope_type": "default", "mrope_section": [24, 20, 20], "mrope_interleaved": True}),
            vision_config=dict(depth=24, hidden_size=1024, intermediate_size=4096, num_heads=16, out_hidden_size=2560, patch_size=16,
                               spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=2304, deepstack_visual_indexes=[5, 11, 17],
                               hidden_act="gelu_pytorch_tanh", in_channels=3),
        ),
    },
    "qwen3-vl-8b": {
        "source": "Qwen/Qwen3-VL-8B-Instruct config.json (the base of allenai/SAGE-MM-Qwen3-VL-8B-SFT_RL)",
        "config": dict(
            model_type="qwen3_vl", architectures=["Qwen3VLForConditionalGeneration"], tie_word_embeddings=False, **_QWEN_IDS,
            text_config=dict(hidden_size=4096, intermediate_size=12288, num_hidden_layers=36, num_attention_heads=32, num_key_value_heads=8,
                             head_dim=128, vocab_size=151936, tie_word_embeddings=False, rope_theta=5000000, rms_norm_eps=1e-6,
                             max_position_embeddings=262144, hidden_act="silu", dtype="bfloat16",
                             rope_scaling={"rope_type": "default", "mrope_section": [24, 20, 20], "mrope_interleaved": True}),
            vision_config=dict(depth=27, hidden_size=1152, intermediate_size=4304, num_heads=16, out_hidden_size=4096, patch_size=16,
                               spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=2304, deepstack_visual_indexes=[8, 16, 24],
                               hidden_act="gelu_pytorch_tanh", in_channels=3),
        ),
    },
}


def config_for(base: str, layers: int | None = None, vision_depth: int | None = None) -> dict:
    config = json.loads(json.dumps(BASES[base]["config"]))
    text = config.get("text_config", config)
    if layers is not None:
        text["num_hidden_layers"] = layers
    vision = config["vision_config"]
    if vision_depth is not None:
        vision["depth"] = vision_depth
        if "fullatt_block_indexes" in vision:
            vision["fullatt_block_indexes"] = [vision_depth - 1]
        if "deepstack_visual_indexes" in vision:
            vision["deepstack_visual_indexes"] = list(range(min(vision_depth, 3)))
    return config


def write_checkpoint(
    base: str, folder: str, layers: int | None = None, vision_depth: int | None = None, seed: int = 20261207, share_layers: bool = False
) -> dict:
    """Random bfloat16 weights of BASE's shapes in shards of at most SHARD_BYTES, with tokenizer and processor files.

    With share_layers, every decoder layer's and vision block's tensors after the first are stored
    once: their header entries point at the bytes of layer (block) 0's same tensor, in the same
    shard. The export reads every tensor as before (it reads by offset), so its work, memory and
    output sizes are those of a full checkpoint, on a fifth of the disk for the 7B and 8B shapes.
    Such a shard is not a valid safetensors file for other readers (overlapping offsets)."""
    import torch
    from transformers import AutoConfig

    from . import skeleton

    os.makedirs(folder, exist_ok=True)
    config = config_for(base, layers, vision_depth)
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
    model = skeleton.build(AutoConfig.from_pretrained(folder))
    generator = torch.Generator().manual_seed(seed)
    # Drawing 8 billion normals takes longer on 2 cores than the export itself: each tensor is cut
    # from a pool of 2^26 seeded normals at a random offset (wrapping), which is as random as the
    # quantizer and the runtime can tell.
    pool = torch.randn(1 << 26, generator=generator).mul_(0.02).to(torch.bfloat16)

    # Plan the shards first (shapes only), so a shared tensor's aliases go into its shard.
    params = dict(model.named_parameters())  # tied weights once, under the embedding's name
    plan: list[list[str]] = [[]]
    shard_of: dict[str, int] = {}
    aliases: dict[int, dict[str, str]] = {}
    planned = 0
    for name, param in params.items():
        first = _first_layer_name(name) if share_layers else None
        if first is not None:
            aliases.setdefault(shard_of[first], {})[name] = first
            continue
        size = param.numel() * 2
        if plan[-1] and planned + size > SHARD_BYTES:
            plan.append([])
            planned = 0
        plan[-1].append(name)
        shard_of[name] = len(plan) - 1
        planned += size

    def drawn(count: int) -> torch.Tensor:
        start = int(torch.randint(0, pool.numel(), (1,), generator=generator))
        parts, left = [], count
        while left:
            piece = pool[start : start + left]
            parts.append(piece)
            left -= piece.numel()
            start = 0
        return torch.cat(parts)

    weight_map, shards = {}, []
    for index, names in enumerate(plan):
        shard = {}
        for name in names:
            tensor = drawn(params[name].numel()).reshape(params[name].shape)
            if name.endswith("norm.weight") or "norm1" in name or "norm2" in name or "ln_q" in name:
                # RMS-norm weights near 1, as trained ones are; the rest at a trained model's scale (0.02).
                tensor = (tensor.float() * 5 + 1).to(torch.bfloat16)
            shard[name] = tensor
        file = f"model-{index + 1:05d}-of-{len(plan):05d}.safetensors"
        _save_shard(os.path.join(folder, file), shard, aliases.get(index, {}))
        shards.append(file)
        weight_map.update({key: file for key in [*shard, *aliases.get(index, {})]})
        del shard
    total = sum(os.path.getsize(os.path.join(folder, name)) for name in shards)
    with open(os.path.join(folder, "model.safetensors.index.json"), "w", encoding="utf-8") as handle:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, handle, indent=1)
    _write_tokenizer_and_processor(config, folder)
    # The real checkpoints ship one, which the export copies; the app serves a build only with it.
    with open(os.path.join(folder, "generation_config.json"), "w", encoding="utf-8") as handle:
        json.dump({"bos_token_id": config["bos_token_id"], "eos_token_id": [config["eos_token_id"], config["bos_token_id"]], "pad_token_id": config["bos_token_id"]}, handle, indent=2)
    parameters = sum(param.numel() for param in params.values())
    return {"parameters": parameters, "shards": len(shards), "bytes": total, "shared_layers": share_layers}


_LAYER_INDEX = re.compile(r"\.(?:layers|blocks)\.(\d+)\.")


def _first_layer_name(name: str) -> str | None:
    """The same tensor of decoder layer (or vision block) 0, for a tensor of a later layer; else None."""
    match = _LAYER_INDEX.search(name)
    if match is None or match.group(1) == "0":
        return None
    return name[: match.start(1)] + "0" + name[match.end(1) :]


def _save_shard(path: str, tensors: dict, aliases: dict[str, str]) -> None:
    """A safetensors file of bfloat16 TENSORS, written in order; each alias gets its target's offsets."""
    import torch

    header: dict = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, tensor in tensors.items():
        size = tensor.numel() * 2
        header[name] = {"dtype": "BF16", "shape": list(tensor.shape), "data_offsets": [offset, offset + size]}
        offset += size
    for name, target in aliases.items():
        header[name] = dict(header[target])
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # the data starts 8-byte aligned, as safetensors writes it
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for tensor in tensors.values():
            handle.write(tensor.contiguous().view(torch.uint8).numpy().data)


def _write_tokenizer_and_processor(config: dict, folder: str) -> None:
    """The tiny test tokenizer (models/tiny) with its added tokens moved to the real ids, so the
    config's token ids and the tokenizer agree; and the family's processor configuration."""
    sys.path.insert(0, TINY)
    from tiny_tokenizer import CHAT_TEMPLATE, build_tokenizer

    tokenizer_json, tokenizer_config, _, _, _ = build_tokenizer()
    moved = {}
    for index, token in enumerate(tokenizer_json["added_tokens"]):
        moved[str(token["id"])] = str(FIRST_ADDED_ID + index)
        token["id"] = FIRST_ADDED_ID + index
        # The tokenizers library numbers added tokens after the vocabulary, whatever id the file
        # gives them, unless the vocabulary holds them at that id.
        tokenizer_json["model"]["vocab"][token["content"]] = token["id"]
    tokenizer_config["added_tokens_decoder"] = {moved[key]: value for key, value in tokenizer_config["added_tokens_decoder"].items()}
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as handle:
        json.dump(tokenizer_json, handle, ensure_ascii=False)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as handle:
        json.dump(tokenizer_config, handle, ensure_ascii=False)
    with open(os.path.join(folder, "chat_template.json"), "w", encoding="utf-8") as handle:
        json.dump({"chat_template": CHAT_TEMPLATE}, handle)
    qwen3 = config["model_type"] == "qwen3_vl"
    patch = 16 if qwen3 else 14
    mean, std = ([0.5] * 3, [0.5] * 3) if qwen3 else ([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711])
    processor = {
        "image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen3VLProcessor" if qwen3 else "Qwen2_5_VLProcessor",
        "do_resize": True, "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True, "do_convert_rgb": True,
        "image_mean": mean, "image_std": std, "min_pixels": 3136, "max_pixels": 12845056,
        "patch_size": patch, "temporal_patch_size": 2, "merge_size": 2,
    }
    with open(os.path.join(folder, "preprocessor_config.json"), "w", encoding="utf-8") as handle:
        json.dump(processor, handle, indent=2)


def export_child(checkpoint: str, out: str, dtypes: str) -> dict:
    """Runs the export tool in a child process; its peak RSS is the kernel's VmHWM of that process
    (read by the tool itself at the end, into its export_report.json)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "sage_export", checkpoint, out, "--dtypes", dtypes, "--force"], check=True, cwd=TOOL)
    with open(os.path.join(out, "export_report.json"), encoding="utf-8") as handle:
        tool_report = json.load(handle)
    peak = tool_report["peak_memory_gib"]
    return {
        "seconds": round(time.monotonic() - started, 1),
        "cpu_seconds": tool_report["cpu_seconds"],
        "peak_rss_gib": peak,
        "load_average_1_5_15": [round(value, 1) for value in os.getloadavg()],
    }


def download_totals(folder: str, dtypes: list[str]) -> dict:
    """Bytes transformers.js and our worker fetch per dtype: the three graphs with their data chunks and the small files."""
    from .quantize import SUFFIX

    onnx_files = os.listdir(os.path.join(folder, "onnx"))
    small = sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder) if os.path.isfile(os.path.join(folder, name)) and name != "export_report.json")
    totals = {}
    for dtype in dtypes:
        graphs = {}
        for graph in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
            base = f"{graph}{SUFFIX[dtype]}.onnx"
            graphs[graph] = sum(os.path.getsize(os.path.join(folder, "onnx", name)) for name in onnx_files if name == base or name.startswith(base + "_data"))
        totals[dtype] = {"graphs": graphs, "total": sum(graphs.values()) + small}
    return totals


def _held(path: str | None):
    """Opens PATH and waits for an exclusive flock on it (released when the file is closed); None without a path."""
    if path is None:
        return None
    import fcntl

    handle = open(path, "a")
    print(f"waiting for the lock {path}", file=sys.stderr, flush=True)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="npm run export:full --", description=__doc__.split("\n\n")[0])
    parser.add_argument("base", choices=sorted(BASES))
    parser.add_argument("--dtypes", default="q4f16,q4")
    parser.add_argument("--out", help="work folder (default: ./full-<base>); gets checkpoint/, export/ and export_report.json")
    parser.add_argument("--layers", type=int, help="decoder layers (default: the published count)")
    parser.add_argument("--vision-depth", type=int, help="vision blocks (default: the published count)")
    parser.add_argument("--measure", action="store_true", help="also time ONNX Runtime (Python, CPU) on each dtype")
    parser.add_argument("--prefill", type=int, default=256, help="prompt tokens for --measure (default 256)")
    parser.add_argument("--keep-checkpoint", action="store_true", help="keep the random checkpoint after the export")
    parser.add_argument(
        "--share-layers", action="store_true",
        help="store each decoder layer's and vision block's tensors once, for all layers (a fifth of the disk for the 7B/8B; only this tool reads such shards)",
    )
    parser.add_argument("--lock", help="a file to hold an exclusive flock on while measuring (a machine's shared lock for jobs of many GiB)")
    args = parser.parse_args(argv)
    out = os.path.abspath(args.out or f"full-{args.base}")
    checkpoint, export_dir = os.path.join(out, "checkpoint"), os.path.join(out, "export")
    report: dict = {"base": args.base, "config_source": BASES[args.base]["source"], "config": config_for(args.base, args.layers, args.vision_depth)}
    if not os.path.isfile(os.path.join(checkpoint, "model.safetensors.index.json")):
        print(f"writing a random-weight {args.base} checkpoint to {checkpoint}", file=sys.stderr, flush=True)
        started = time.monotonic()
        shutil.rmtree(checkpoint, ignore_errors=True)
        report["checkpoint"] = write_checkpoint(args.base, checkpoint, args.layers, args.vision_depth, share_layers=args.share_layers)
        report["checkpoint"]["seconds"] = round(time.monotonic() - started, 1)
    report["export"] = export_child(checkpoint, export_dir, args.dtypes)
    with open(os.path.join(export_dir, "export_report.json"), encoding="utf-8") as handle:
        tool_report = json.load(handle)
    dtypes = tool_report["dtypes"]
    report["files"] = tool_report["files"]
    report["largest_tensor_bytes"] = tool_report["largest_tensor_bytes"]
    report["downloads"] = download_totals(export_dir, dtypes)
    if not args.keep_checkpoint:
        shutil.rmtree(checkpoint, ignore_errors=True)
    if args.measure:
        report["runtime"] = {}
        lock = _held(args.lock)
        for dtype in dtypes:
            command = [sys.executable, "-m", "sage_export.measure", export_dir, dtype, "--prefill", str(args.prefill)]
            result = subprocess.run(command, check=True, cwd=TOOL, capture_output=True, text=True)
            report["runtime"][dtype] = json.loads(result.stdout)
            print(f"{dtype}: {result.stdout.strip()}", file=sys.stderr, flush=True)
        if lock is not None:
            lock.close()
    report["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report["machine"] = {"cpus": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
    with open(os.path.join(out, "export_report.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    print(json.dumps({k: report[k] for k in ("export", "largest_tensor_bytes", "downloads")}, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
