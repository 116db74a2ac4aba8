"""The streaming export: bad input gets a message that names what is wrong, a stopped export
resumes, and at full width and full vocabulary (two layers) the export's memory stays bounded and
no tensor of a 4-bit build reaches 1 GiB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.dirname(HERE)
sys.path.insert(0, TOOL)
sys.path.insert(0, os.path.join(os.path.dirname(TOOL), "tiny"))

from make_tiny import build_checkpoint  # noqa: E402
from sage_export import export as export_module  # noqa: E402
from sage_export import weights  # noqa: E402
from sage_export.checkpoint import CheckpointError  # noqa: E402
from sage_export.export import export  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> str:
    folder = str(tmp_path_factory.mktemp("tiny") / "checkpoint")
    build_checkpoint(folder)
    return folder


def _copy(source: str, folder) -> str:
    target = str(folder)
    shutil.copytree(source, target)
    return target


def _sharded(source: str, folder) -> str:
    """The tiny checkpoint re-saved as two shards with an index, as large checkpoints come."""
    from safetensors.torch import load_file, save_file

    target = _copy(source, folder)
    tensors = load_file(os.path.join(target, "model.safetensors"))
    os.remove(os.path.join(target, "model.safetensors"))
    keys = sorted(tensors)
    halves = {"model-00001-of-00002.safetensors": keys[: len(keys) // 2], "model-00002-of-00002.safetensors": keys[len(keys) // 2 :]}
    weight_map = {}
    for name, part in halves.items():
        save_file({key: tensors[key] for key in part}, os.path.join(target, name), metadata={"format": "pt"})
        weight_map.update({key: name for key in part})
    with open(os.path.join(target, "model.safetensors.index.json"), "w") as handle:
        json.dump({"metadata": {}, "weight_map": weight_map}, handle)
    return target


def _nothing_written(out: str) -> bool:
    return not os.path.exists(out) and not os.path.exists(out + ".partial")


def test_missing_shard_is_named(tiny, tmp_path):
    checkpoint = _sharded(tiny, tmp_path / "sharded")
    os.remove(os.path.join(checkpoint, "model-00002-of-00002.safetensors"))
    out = str(tmp_path / "out")
    with pytest.raises(CheckpointError, match=r"1 of 2 weight shards are missing \(model-00002-of-00002.safetensors\)"):
        export(checkpoint, out)
    assert _nothing_written(out)


def test_cut_shard_is_named(tiny, tmp_path):
    checkpoint = _sharded(tiny, tmp_path / "sharded")
    shard = os.path.join(checkpoint, "model-00001-of-00002.safetensors")
    with open(shard, "r+b") as handle:
        handle.truncate(os.path.getsize(shard) - 100)
    out = str(tmp_path / "out")
    with pytest.raises(CheckpointError, match=r"model-00001-of-00002.safetensors is cut short"):
        export(checkpoint, out)
    assert _nothing_written(out)


def test_shard_from_another_download_is_named(tiny, tmp_path):
    checkpoint = _sharded(tiny, tmp_path / "sharded")
    index = os.path.join(checkpoint, "model.safetensors.index.json")
    document = json.load(open(index))
    key = next(iter(document["weight_map"]))
    document["weight_map"][key] = "model-00002-of-00002.safetensors" if document["weight_map"][key].startswith("model-00001") else "model-00001-of-00002.safetensors"
    json.dump(document, open(index, "w"))
    with pytest.raises(CheckpointError, match=f"lists {key} in .*, but that shard does not hold it"):
        export(checkpoint, str(tmp_path / "out"))


def test_tokenizer_whose_listed_ids_the_library_does_not_use_is_refused(tiny, tmp_path):
    # As full.py's random-weight tokenizers were before: added tokens listed at the config's ids,
    # but absent from the vocabulary, so the tokenizers library numbered them after it.
    checkpoint = _copy(tiny, tmp_path / "checkpoint")
    tokenizer_path = os.path.join(checkpoint, "tokenizer.json")
    config_path = os.path.join(checkpoint, "config.json")
    tokenizer, config = json.load(open(tokenizer_path)), json.load(open(config_path))
    shift = 7
    vocab = tokenizer["model"]["vocab"]
    for token in tokenizer["added_tokens"]:
        vocab.pop(token["content"], None)
        token["id"] += shift
    for key in ("image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id", "bos_token_id", "eos_token_id"):
        if key in config:
            config[key] += shift
    text = config["text_config"] if "vocab_size" in config.get("text_config", {}) else config
    text["vocab_size"] += shift
    json.dump(tokenizer, open(tokenizer_path, "w"))
    json.dump(config, open(config_path, "w"))
    with pytest.raises(CheckpointError, match=r"it lists <\|image_pad\|> at \d+, as config.json's image_token_id says, but the tokenizers library reads it as \d+"):
        export(checkpoint, str(tmp_path / "out"))


def test_tokenizer_of_another_model_is_refused(tiny, tmp_path):
    checkpoint = _copy(tiny, tmp_path / "checkpoint")
    config_path = os.path.join(checkpoint, "config.json")
    config = json.load(open(config_path))
    config["image_token_id"] += 1
    json.dump(config, open(config_path, "w"))
    with pytest.raises(CheckpointError, match=r"tokenizer.json does not match config.json: config.json's image_token_id is \d+, but the tokenizer has <\|image_pad\|> at \d+"):
        export(checkpoint, str(tmp_path / "out"))
    config["image_token_id"] -= 1
    config["text_config"]["vocab_size"] = 100
    json.dump(config, open(config_path, "w"))
    with pytest.raises(CheckpointError, match=r"it has token id \d+, but the model's embedding has 100 rows"):
        export(checkpoint, str(tmp_path / "out"))


def test_weights_of_another_size_are_refused(tiny, tmp_path):
    checkpoint = _copy(tiny, tmp_path / "checkpoint")
    config_path = os.path.join(checkpoint, "config.json")
    config = json.load(open(config_path))
    config["text_config"]["intermediate_size"] *= 2
    json.dump(config, open(config_path, "w"))
    out = str(tmp_path / "out")
    with pytest.raises(CheckpointError, match=r"holds .*mlp.* with shape \[\d+, \d+\], but config.json makes it"):
        export(checkpoint, out)
    assert _nothing_written(out)


def test_too_little_disk_is_refused_before_anything_is_written(tiny, tmp_path, monkeypatch):
    real = shutil.disk_usage

    def nearly_full(path):
        usage = real(path)
        return usage._replace(free=10 * 2**20)

    monkeypatch.setattr(export_module.shutil, "disk_usage", nearly_full)
    out = str(tmp_path / "out")
    with pytest.raises(CheckpointError, match=r"not enough disk space at .*: the export writes about \d+\.\d GiB and 0\.0 GiB is free"):
        export(tiny, out)
    assert _nothing_written(out)


def test_stopped_export_resumes_and_equals_a_clean_one(tiny, tmp_path, monkeypatch):
    clean = str(tmp_path / "clean")
    export(tiny, clean, dtypes=("fp32", "q4"), force_external_data=True)

    out = str(tmp_path / "out")
    real_write = weights.write_graph
    calls = []

    def stopped_after_three(model, recipes, path, *args, **kwargs):
        calls.append(os.path.basename(path))
        if len(calls) == 4:
            # Half a file on disk, as a killed process leaves it.
            open(path + "_data", "wb").write(b"partial")
            raise KeyboardInterrupt
        return real_write(model, recipes, path, *args, **kwargs)

    monkeypatch.setattr(weights, "write_graph", stopped_after_three)
    with pytest.raises(KeyboardInterrupt):
        export(tiny, out, dtypes=("fp32", "q4"), force_external_data=True)
    assert not os.path.exists(out), "nothing may appear under the final name"
    progress = json.load(open(os.path.join(out + ".partial", ".progress.json")))
    assert sorted(progress["done"]) == sorted(calls[:3])

    calls.clear()
    export(tiny, out, dtypes=("fp32", "q4"), force_external_data=True)
    assert len(calls) == 3, "the rerun writes only the graph files the stopped run had not finished"
    assert not os.path.exists(out + ".partial")
    for name in sorted(os.listdir(os.path.join(clean, "onnx"))):
        assert open(os.path.join(out, "onnx", name), "rb").read() == open(os.path.join(clean, "onnx", name), "rb").read(), name

    # Other settings do not reuse a stopped run's files: it starts clean.
    calls.clear()
    monkeypatch.setattr(weights, "write_graph", stopped_after_three)
    with pytest.raises(KeyboardInterrupt):
        export(tiny, str(tmp_path / "other"), dtypes=("fp32", "q4"), force_external_data=True)
    calls.clear()
    export(tiny, str(tmp_path / "other"), dtypes=("q4",), force_external_data=True)
    assert len(calls) == 3 and sorted(os.listdir(os.path.join(tmp_path, "other", "onnx"))) == sorted(
        name for name in os.listdir(os.path.join(clean, "onnx")) if "_q4" in name
    )


# ---- full width and vocabulary, two layers ----

@pytest.fixture(scope="module")
def full_width(tmp_path_factory):
    """Qwen2.5-VL-3B's widths (text 2048, vision 1280) and its 151,936-token tied embedding, with two
    decoder layers and two vision blocks, exported q4 and q4f16 by the tool in a child process."""
    from sage_export.full import write_checkpoint

    folder = tmp_path_factory.mktemp("full-width")
    checkpoint, out = str(folder / "checkpoint"), str(folder / "export")
    written = write_checkpoint("qwen2.5-vl-3b", checkpoint, layers=2, vision_depth=2)
    result = subprocess.run(
        [sys.executable, "-m", "sage_export", checkpoint, out, "--dtypes", "q4,q4f16"], cwd=TOOL, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    report = json.load(open(os.path.join(out, "export_report.json")))
    return written, out, report, result.stderr


def test_full_width_export_memory_is_the_runtime_and_one_tensor(full_width):
    written, _, report, log = full_width
    embedding_gib = 151936 * 2048 * 4 / 2**30  # the largest tensor, in float32: 1.16 GiB
    # The tool reads its own VmHWM (the kernel's peak for its address space). The runtime (torch,
    # transformers, onnx, onnxruntime) takes about 0.75 GiB; beyond it the export may hold one
    # float32 tensor and blocks of another, never the checkpoint (2.0 GiB in float32 even at two
    # layers; the previous exporter held it several times over).
    peak = report["peak_memory_gib"]
    assert peak < 0.8 + 1.3 * embedding_gib, (peak, log)
    assert written["parameters"] > 5e8
    assert "This export needs about" in log and "GiB of disk" in log


def test_full_width_build_has_the_generation_config_the_app_needs(full_width):
    _, out, _, _ = full_width
    generation = json.load(open(os.path.join(out, "generation_config.json")))
    assert generation["eos_token_id"] == [151645, 151643]


def test_full_width_4bit_builds_have_no_tensor_of_1_gib(full_width):
    _, out, report, _ = full_width
    largest = report["largest_tensor_bytes"]
    assert set(largest) >= {"embed_tokens_q4.onnx", "decoder_model_merged_q4f16.onnx"}
    assert max(largest.values()) < 2**30
    model = onnx.load(os.path.join(out, "onnx", "embed_tokens_q4.onnx"), load_external_data=False)
    assert [node.op_type for node in model.graph.node] == ["GatherBlockQuantized"]


def test_full_width_graphs_run(full_width):
    _, out, _, _ = full_width
    ids = np.array([[151644, 872, 198, 151645]], dtype=np.int64)
    embed = ort.InferenceSession(os.path.join(out, "onnx", "embed_tokens_q4.onnx"), providers=["CPUExecutionProvider"])
    embeds = embed.run(None, {"input_ids": ids})[0]
    assert embeds.shape == (1, 4, 2048) and np.isfinite(embeds).all()
    decoder = ort.InferenceSession(os.path.join(out, "onnx", "decoder_model_merged_q4.onnx"), providers=["CPUExecutionProvider"])
    past = {meta.name: np.zeros((1, 2, 0, 128), np.float32) for meta in decoder.get_inputs() if meta.name.startswith("past_key_values")}
    positions = np.broadcast_to(np.arange(4), (3, 1, 4)).copy()
    logits = decoder.run(None, {"inputs_embeds": embeds, "attention_mask": np.ones((1, 4), np.int64), "position_ids": positions, "num_logits_to_keep": np.array(1), **past})[0]
    assert logits.shape == (1, 1, 151936) and np.isfinite(logits).all()


def test_full_width_checkpoint_shards_are_safetensors(full_width):
    """export:full writes its shards itself (so that --share-layers can alias tensors); without
    sharing they are ordinary safetensors files, which the safetensors library reads."""
    from safetensors import safe_open

    from sage_export.checkpoint import inspect_checkpoint

    _, out, _, _ = full_width
    folder = os.path.join(os.path.dirname(out), "checkpoint")
    checkpoint = inspect_checkpoint(folder)
    seen = 0
    for name in checkpoint.weight_files:
        with safe_open(os.path.join(folder, name), framework="pt") as handle:
            for key in handle.keys():
                assert tuple(handle.get_slice(key).get_shape()) == checkpoint.tensors[key][2]
                seen += 1
    assert seen == len(checkpoint.tensors)


def test_shared_layers_checkpoint_reads_as_the_whole_model(tmp_path):
    """--share-layers: layer 1's and block 1's tensors point at layer 0's and block 0's bytes, the
    tool still sees every tensor of the model and counts all its parameters, and the shards hold
    one layer's bytes fewer."""
    from sage_export.checkpoint import inspect_checkpoint
    from sage_export.full import write_checkpoint

    folder = str(tmp_path / "checkpoint")
    written = write_checkpoint("qwen2.5-vl-3b", folder, layers=2, vision_depth=2, share_layers=True)
    checkpoint = inspect_checkpoint(folder)
    shared = [key for key in checkpoint.tensors if ".layers.1." in key or ".blocks.1." in key]
    assert len(shared) > 20
    layer_bytes = 0
    for key in shared:
        first = key.replace(".layers.1.", ".layers.0.").replace(".blocks.1.", ".blocks.0.")
        file, dtype, shape, offset = checkpoint.tensors[key]
        assert (file, dtype, shape, offset) == checkpoint.tensors[first], key
        layer_bytes += int(np.prod(shape)) * 2
    assert checkpoint.parameters == written["parameters"]
    assert written["bytes"] <= checkpoint.weight_bytes - layer_bytes + 2**20


# What the random-weight builds of the published shapes measured (2026-12-07, docs/performance.md):
# graph bytes per dtype, and the export's peak memory and CPU seconds for q4f16 and q4 together.
MEASURED_FULL_SIZE = {
    "qwen2.5-vl-3b": {"q4f16": 2_293e6, "q4": 2_550e6, "peak_gib": 3.15, "cpu_seconds": 340},
    "qwen3-vl-4b": {"q4f16": 2_725e6, "q4": 3_033e6, "peak_gib": 2.52, "cpu_seconds": 379},
    "qwen3-vl-8b": {"q4f16": 4_943e6, "q4": 5_499e6, "peak_gib": 3.62, "cpu_seconds": 618},
}


@pytest.mark.parametrize("base", sorted(MEASURED_FULL_SIZE))
def test_plan_printed_before_an_export_is_what_the_full_size_builds_measured(base, tmp_path):
    """The disk, memory and CPU time the tool prints before it starts, for a checkpoint of each
    measured shape (its tensors' names and shapes, from the model built without weights)."""
    from transformers import AutoConfig

    from sage_export import skeleton
    from sage_export.checkpoint import Checkpoint
    from sage_export.full import config_for

    with open(tmp_path / "config.json", "w") as handle:
        json.dump(config_for(base), handle)
    config = AutoConfig.from_pretrained(str(tmp_path))
    model = skeleton.build(config)
    tensors = {name: ("", "BF16", tuple(param.shape), 0) for name, param in model.named_parameters()}
    weight_bytes = sum(param.numel() * 2 for param in model.parameters())
    checkpoint = Checkpoint(path=str(tmp_path), config=config_for(base), weight_files=[], weight_bytes=weight_bytes, tensors=tensors)
    need = export_module.plan(checkpoint, ("q4f16", "q4"))
    measured = MEASURED_FULL_SIZE[base]
    for dtype in ("q4f16", "q4"):
        assert abs(need["disk_by_dtype"][dtype] / measured[dtype] - 1) < 0.005, (dtype, need["disk_by_dtype"][dtype])
    assert abs(need["memory_gib"] / measured["peak_gib"] - 1) < 0.05, need["memory_gib"]
    # CPU time varies with the machine's load (13.6-17.2 CPU s per GB here); the plan says their mean.
    assert abs(need["seconds"] / measured["cpu_seconds"] - 1) < 0.2, need["seconds"]
