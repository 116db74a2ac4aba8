"""The whole export: checkpoint folder in, transformers.js model folder out, in bounded memory.

The graphs are traced from the model's modules without weights (skeleton.py); each graph file is
then written in each dtype by reading the checkpoint one tensor at a time, converting or
quantizing it and appending it to the external-data chunks (weights.py). Memory therefore depends
on the largest single tensor (the [151936, hidden] embedding), not on the number of layers.

The output is written to `<out>.partial` and renamed to `<out>` only when every file is in place,
so an interrupted or failed export never leaves a folder that looks complete. Each finished graph
file is recorded in `<out>.partial/.progress.json`; running the same command again keeps those and
writes the rest (other settings or another checkpoint start clean).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import time

import onnx
import torch

from . import onnx_io, quantize, skeleton, weights
from .checkpoint import Checkpoint, CheckpointError, inspect_checkpoint, tensor_keys
from .progress import Progress

GRAPHS = ("vision_encoder", "embed_tokens", "decoder_model_merged")
EXPORTERS = {
    "vision_encoder": onnx_io.export_vision_encoder,
    "embed_tokens": onnx_io.export_embed_tokens,
    "decoder_model_merged": onnx_io.export_decoder,
}
COPIED_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "preprocessor_config.json",
    "video_preprocessor_config.json",
    "chat_template.json",
    "chat_template.jinja",
    "generation_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "added_tokens.json",
)
REPORT_FILE = "export_report.json"


PROGRESS_FILE = ".progress.json"
CPU_SECONDS_PER_GB = 15.5
VISION_TRACE_GIB = {"qwen2_5_vl": 3.2}
# Graphs whose weights total less than this are written with the weights inside the .onnx file.
INLINE_BYTES = 256 * 2**20
FLOAT_DTYPES = ("BF16", "F16", "F32")


def export(
    checkpoint_path: str,
    out: str,
    dtypes: tuple[str, ...] = quantize.DTYPES,
    release: str | None = None,
    force: bool = False,
    force_external_data: bool = False,
    progress: Progress | None = None,
    chunk_bytes: int = onnx_io.MAX_CHUNK_BYTES,
) -> dict:
    progress = progress or Progress()
    for dtype in dtypes:
        if dtype not in quantize.DTYPES:
            raise CheckpointError(f"unknown dtype {dtype!r}; choose from {', '.join(quantize.DTYPES)}")
    checkpoint = inspect_checkpoint(checkpoint_path)
    if os.path.exists(out) and not force:
        raise CheckpointError(f"{out} already exists; pass --force to replace it.")
    pack = None
    if release is not None:
        from .prompt_pack import read_release

        pack = read_release(release)

    partial = f"{out}.partial"
    signature = _signature(checkpoint, dtypes, force_external_data, chunk_bytes)
    done = _resume(partial, signature, progress)
    need = plan(checkpoint, dtypes)
    written = _folder_bytes(partial) if os.path.isdir(partial) else 0
    progress.step(
        f"checkpoint {checkpoint.path}: {checkpoint.config['model_type']}, {checkpoint.parameters / 1e9:.2f} B parameters. "
        f"This export needs about {need['memory_gib']:.1f} GiB of memory, {need['disk_bytes'] / 2**30:.1f} GiB of disk "
        f"({', '.join(f'{d} {b / 2**30:.1f}' for d, b in need['disk_by_dtype'].items())}) and about "
        f"{_minutes(need['seconds'])} of CPU time"
    )
    _check_disk(out, need["disk_bytes"] - written)

    os.makedirs(os.path.join(partial, "onnx"), exist_ok=True)
    try:
        report = _export_into(checkpoint, partial, dtypes, pack, force_external_data, chunk_bytes, done, signature, need, progress)
        with open(os.path.join(partial, REPORT_FILE), "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")
        os.remove(os.path.join(partial, PROGRESS_FILE))
        if os.path.exists(out):
            shutil.rmtree(out)
        os.replace(partial, out)
    except BaseException as error:
        if done:
            progress.step(
                f"stopped ({type(error).__name__}): {partial} keeps {len(done)} finished graph files; "
                "run the same command again to finish the rest"
            )
        else:
            shutil.rmtree(partial, ignore_errors=True)
        raise
    progress.step(f"wrote {out} ({_folder_bytes(out) / 1e6:.1f} MB)")
    return report


def _signature(checkpoint: Checkpoint, dtypes, force_external_data: bool, chunk_bytes: int) -> dict:
    return {
        "checkpoint": os.path.abspath(checkpoint.path),
        "shards": {name: os.path.getsize(os.path.join(checkpoint.path, name)) for name in checkpoint.weight_files},
        "dtypes": list(dtypes),
        "force_external_data": force_external_data,
        "chunk_bytes": chunk_bytes,
    }


def _resume(partial: str, signature: dict, progress: Progress) -> dict[str, int]:
    """The graph files a stopped run with the same settings finished; anything else there goes."""
    state_path = os.path.join(partial, PROGRESS_FILE)
    if not os.path.isdir(partial):
        return {}
    state = None
    if os.path.isfile(state_path):
        try:
            with open(state_path, encoding="utf-8") as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            state = None
    if not state or state.get("signature") != signature:
        progress.step(f"removing {partial}, left by an earlier export with other settings or checkpoint")
        shutil.rmtree(partial)
        return {}
    done = state["done"]
    keep = {name for name, chunks in done.items() for name in [name, *(weights.ChunkWriter("", name, 0).name(k) for k in range(chunks))]}
    for name in os.listdir(os.path.join(partial, "onnx")):
        if name not in keep:
            os.remove(os.path.join(partial, "onnx", name))
    progress.step(f"resuming {partial}: {len(done)} graph files are already written")
    return done


def plan(checkpoint: Checkpoint, dtypes) -> dict:
    """Disk, memory and time the export needs, from the shards' headers (before anything runs)."""
    config = checkpoint.config
    tied = config.get("tie_word_embeddings", config.get("text_config", {}).get("tie_word_embeddings", False))
    by_dtype = {}
    largest = 0
    for dtype in dtypes:
        total = 0
        for key, (_, _, shape, _) in checkpoint.tensors.items():
            count = 1
            for dim in shape:
                count *= dim
            largest = max(largest, count)
            uses = 2 if tied and "embed_tokens" in key else 1  # the embedding and the tied LM head
            quantized = dtype != "fp32" and len(shape) == 2 and "pos_embed" not in key
            width = 2 if dtype == "q4f16" else 4  # of a float weight, and of a 4-bit block's scale
            per_element = 0.5 + width / weights.BLOCK_SIZE if quantized else width
            total += int(count * per_element) * uses
        by_dtype[dtype] = total
    disk = sum(by_dtype.values())
    # Measured (docs/performance.md): the runtime takes about 0.8 GiB; beyond it the largest tensor
    # is held once in float32 (tracing the LM head, writing a transposed float weight) plus blocks.
    # Tracing Qwen2.5-VL's 32 windowed vision blocks peaks higher (3.15 GiB for the 3B shape).
    memory = max(0.9 + 1.15 * largest * 4 / 2**30, VISION_TRACE_GIB.get(config["model_type"], 0.0))
    # Measured: 13.6-17.2 CPU seconds per GB of weights read (once per dtype) and written, tracing
    # included (both dtypes: 3B shape 340 CPU s, 4B 379, 8B 618). Said as CPU time: on a shared
    # machine wall time is longer, and more cores shorten only the quantizer's share.
    seconds = CPU_SECONDS_PER_GB * (checkpoint.weight_bytes * len(dtypes) + disk) / 1e9
    return {"disk_bytes": disk, "disk_by_dtype": by_dtype, "memory_gib": memory, "seconds": seconds, "largest_tensor_elements": largest}


def _check_disk(out: str, needed: int) -> None:
    folder = os.path.dirname(os.path.abspath(out))
    while not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    free = shutil.disk_usage(folder).free
    # A little room beyond the weights for the graphs, configs and the file system.
    needed = int(needed * 1.02) + 64 * 2**20
    if free < needed:
        raise CheckpointError(
            f"not enough disk space at {folder}: the export writes about {needed / 2**30:.1f} GiB and {free / 2**30:.1f} GiB is free. "
            f"Free {(needed - free) / 2**30:.1f} GiB, write elsewhere, or export fewer --dtypes."
        )


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _recipes(graph: onnx.GraphProto, traced: dict[str, int], names: dict[int, str], keys: dict[str, str], checkpoint: Checkpoint, model) -> dict[str, weights.Recipe]:
    recipes = {}
    shapes = {name: tuple(param.shape) for name, param in model.named_parameters(remove_duplicate=False)}
    inputs = {value.name for value in graph.input}
    for input_name, param_id in traced.items():
        if input_name not in inputs:  # a second name of a tied weight, or a parameter the graph does not use
            continue
        name = names[param_id]
        key = keys.get(name)
        if key is None:
            raise CheckpointError(f"{checkpoint.path} has no tensor for {name}, which this {checkpoint.config['model_type']} model needs. Is a shard missing, or is config.json for another size?")
        file, dtype, shape, offset = checkpoint.tensors[key]
        if dtype not in FLOAT_DTYPES:
            raise CheckpointError(f"{file} stores {key} as {dtype}; this tool reads {', '.join(FLOAT_DTYPES)} weights (not pre-quantized ones).")
        if shape != shapes[name]:
            raise CheckpointError(f"{file} holds {key} with shape {list(shape)}, but config.json makes it {list(shapes[name])}: the config and the weights are of different models.")
        recipes[input_name] = weights.Recipe(file=file, key=key, shape=shape, dtype=dtype, offset=offset)
    return recipes


def _export_into(checkpoint: Checkpoint, folder: str, dtypes, pack, force_external_data: bool, chunk_bytes: int, done: dict, signature: dict, need: dict, progress: Progress) -> dict:
    from transformers import AutoConfig

    progress.step("building the model's modules without weights")
    model = skeleton.build(AutoConfig.from_pretrained(checkpoint.path))
    names = skeleton.parameter_names(model)
    keys = tensor_keys(type(model), checkpoint)

    external: dict[str, int] = {name: chunks for name, chunks in done.items() if chunks}
    files: dict[str, int] = {}
    bar = progress.bar(need["disk_bytes"], "weights written")
    # Every graph is traced and every weight matched to its checkpoint tensor before anything is
    # written, so a checkpoint that does not fit its config stops the export with nothing on disk.
    traced_graphs = {}
    with tempfile.TemporaryDirectory() as scratch:
        for graph in GRAPHS:
            names_for_dtypes = {dtype: f"{graph}{quantize.SUFFIX[dtype]}.onnx" for dtype in dtypes}
            if all(name in done for name in names_for_dtypes.values()):
                continue
            progress.step(f"tracing {graph}")
            traced_path = os.path.join(scratch, f"{graph}.onnx")
            traced = EXPORTERS[graph](model, traced_path)
            base = onnx.load(traced_path)
            traced_graphs[graph] = (base, _recipes(base.graph, traced, names, keys, checkpoint, model), names_for_dtypes)
    del model
    for graph, (base, recipes, names_for_dtypes) in traced_graphs.items():
        for dtype, name in names_for_dtypes.items():
            if name in done:
                continue
            progress.step(f"writing {graph} as {dtype}")
            graph_model, graph_recipes = quantize.convert(copy.deepcopy(base), recipes, dtype)
            path = os.path.join(folder, "onnx", name)
            chunks = weights.write_graph(graph_model, graph_recipes, path, chunk_bytes, on_tensor=bar.advance)
            if not force_external_data and sum(r.nbytes for r in graph_recipes.values()) < INLINE_BYTES:
                _inline(path, chunks)
                chunks = 0
            done[name] = chunks
            if chunks:
                external[name] = chunks
            with open(os.path.join(folder, PROGRESS_FILE), "w", encoding="utf-8") as handle:
                json.dump({"signature": signature, "done": done}, handle)
    bar.close()

    progress.step("writing config, tokenizer and processor files")
    for name in COPIED_FILES:
        source = os.path.join(checkpoint.path, name)
        if os.path.isfile(source):
            shutil.copyfile(source, os.path.join(folder, name))
    _template_into_tokenizer_config(folder)
    # Saved by this transformers version, so the text model's sizes sit under text_config, where
    # transformers.js reads them, whatever layout the checkpoint's own config.json has.
    AutoConfig.from_pretrained(checkpoint.path).save_pretrained(folder)
    config_path = os.path.join(folder, "config.json")
    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)
    # Where the checkpoint sat on the exporting machine says nothing to the browser.
    config.pop("_name_or_path", None)
    config.get("text_config", {}).pop("_name_or_path", None)
    config["transformers.js_config"] = {
        "dtype": dtypes[0],
        **({"use_external_data_format": external} if external else {}),
    }
    # The vision graphs attend within each frame (a per-frame mask), so the VLM worker may send a
    # video's temporal patches many to a call; it sends a graph without this mark one per call.
    config["sage_export"] = {"vision_frames_apart": True}
    with open(config_path, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    if pack is not None:
        from .prompt_pack import PACK_FILE, write_pack

        progress.step(f"writing the release's prompts to {PACK_FILE}")
        write_pack(pack, folder)

    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            # The resume record is removed once the export is whole; it is not part of the build.
            if name != PROGRESS_FILE:
                files[os.path.relpath(path, folder)] = os.path.getsize(path)
    return {
        "source": os.path.abspath(checkpoint.path),
        "model_type": checkpoint.config["model_type"],
        "dtypes": list(dtypes),
        "external_data": external,
        "prompt_pack": pack is not None,
        "files": files,
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__, **_versions()},
        "peak_memory_gib": round(Progress.peak_gib(), 2),
        # CPU seconds of all the process's threads: the work, whatever else shares the cores.
        "cpu_seconds": round(time.process_time()),
        "largest_tensor_bytes": _largest_tensors(folder),
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _template_into_tokenizer_config(folder: str) -> None:
    """transformers.js' Qwen processors read the chat template from tokenizer_config.json only;
    current `transformers` saves it beside, as chat_template.jinja or chat_template.json."""
    path = os.path.join(folder, "tokenizer_config.json")
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)
    if config.get("chat_template"):
        return
    jinja, packed = os.path.join(folder, "chat_template.jinja"), os.path.join(folder, "chat_template.json")
    if os.path.isfile(jinja):
        with open(jinja, encoding="utf-8") as handle:
            config["chat_template"] = handle.read()
    elif os.path.isfile(packed):
        with open(packed, encoding="utf-8") as handle:
            config["chat_template"] = json.load(handle)["chat_template"]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def _versions() -> dict:
    import onnxruntime
    import transformers

    return {"transformers": transformers.__version__, "onnxruntime": onnxruntime.__version__}


def _inline(path: str, chunks: int) -> None:
    """Rewrites a small graph with its weights inside the .onnx file."""
    model = onnx.load(path, load_external_data=True)
    for tensor in model.graph.initializer:
        tensor.ClearField("data_location")
        del tensor.external_data[:]
    onnx.save(model, path)
    base = os.path.basename(path)
    for chunk in range(chunks):
        os.remove(os.path.join(os.path.dirname(path), weights.ChunkWriter("", base, 0).name(chunk)))


def _largest_tensors(folder: str) -> dict[str, int]:
    """Each graph file's largest initializer in bytes (read from the graph, not the data)."""
    largest = {}
    onnx_folder = os.path.join(folder, "onnx")
    for name in sorted(os.listdir(onnx_folder)):
        if name.endswith(".onnx"):
            model = onnx.load(os.path.join(onnx_folder, name), load_external_data=False)
            sizes = [
                int(next((entry.value for entry in tensor.external_data if entry.key == "length"), 0)) or len(tensor.raw_data)
                for tensor in model.graph.initializer
            ]
            largest[name] = max(sizes, default=0)
    return largest


def _folder_bytes(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(folder) for name in names)
