"""The whole export: checkpoint folder in, transformers.js model folder out.

The output is written to `<out>.partial` and renamed to `<out>` only when every file is in place,
so an interrupted or failed export never leaves a folder that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

import onnx
import torch

from . import onnx_io, quantize
from .checkpoint import Checkpoint, CheckpointError, inspect_checkpoint
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


def export(
    checkpoint_path: str,
    out: str,
    dtypes: tuple[str, ...] = quantize.DTYPES,
    release: str | None = None,
    force: bool = False,
    force_external_data: bool = False,
    progress: Progress | None = None,
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
    progress.step(
        f"checkpoint {checkpoint.path}: {checkpoint.config['model_type']}, about {checkpoint.parameters / 1e9:.2f} B parameters; "
        f"needs about {_needed_gib(checkpoint):.1f} GiB of memory"
    )

    partial = f"{out}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(os.path.join(partial, "onnx"))
    try:
        report = _export_into(checkpoint, partial, dtypes, pack, force_external_data, progress)
        with open(os.path.join(partial, REPORT_FILE), "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")
        if os.path.exists(out):
            shutil.rmtree(out)
        os.replace(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    progress.step(f"wrote {out} ({_folder_bytes(out) / 1e6:.1f} MB)")
    return report


def _export_into(checkpoint: Checkpoint, folder: str, dtypes, pack, force_external_data: bool, progress: Progress) -> dict:
    from transformers import AutoConfig, AutoModelForImageTextToText

    progress.step("loading the weights in float32")
    model = AutoModelForImageTextToText.from_pretrained(
        checkpoint.path, dtype=torch.float32, attn_implementation="eager"
    ).eval()

    external: dict[str, int] = {}
    files: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for graph in GRAPHS:
            progress.step(f"tracing {graph}")
            traced = os.path.join(scratch, f"{graph}.onnx")
            EXPORTERS[graph](model, traced)
            base = onnx_io.load(traced)
            for dtype in dtypes:
                progress.step(f"writing {graph} as {dtype}")
                copy = onnx.ModelProto()
                copy.CopyFrom(base)
                name = f"{graph}{quantize.SUFFIX[dtype]}.onnx"
                chunks = onnx_io.save(quantize.convert(copy, dtype), os.path.join(folder, "onnx", name), force_external=force_external_data)
                if chunks:
                    external[name] = chunks
            del base
    del model

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


def _needed_gib(checkpoint: Checkpoint) -> float:
    # float32 weights in torch, the traced graph in ONNX and one converted copy at a time.
    return checkpoint.parameters * 4 * 3 / 2**30


def _folder_bytes(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(folder) for name in names)
