"""The full-size comparison (sage_export/compare_full.py) at tiny size: the same steps it runs on
the 4B shape (PyTorch reference, ONNX Runtime per dtype, report), which must pass for a faithful
export and fail when the weights PyTorch ran differ slightly from the export's."""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tiny"))

from make_tiny import build_qwen3_checkpoint  # noqa: E402
from sage_export import compare_full  # noqa: E402
from sage_export.export import export  # noqa: E402

SIZES = dict(image=(64, 96), frame=(64, 64), frames=4)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    checkpoint, exported, out = str(root / "checkpoint"), str(root / "export"), str(root / "out")
    build_qwen3_checkpoint(checkpoint)
    export(checkpoint, exported, dtypes=("fp32", "q4"))
    compare_full.run_reference(checkpoint, out, **SIZES)
    for dtype in ("fp32", "q4"):
        compare_full.run_onnx(exported, dtype, out, threads=1)
    return checkpoint, exported, out, root


def test_fp32_export_agrees_with_pytorch_and_q4_with_pytorch_on_4bit_weights(compared):
    _, _, out, _ = compared
    result = compare_full.report(out, ["fp32", "q4"])
    assert result["failures"] == []
    for name, entry in result["prompts"].items():
        assert entry["fp32_vs_torch"]["max_abs"] <= entry["tolerance"], name
        assert entry["fp32_vs_torch"]["top1"] and entry["fp32_vs_torch"]["hidden_rel_l2"] < 1e-5, name
        # 4-bit weights move the outputs a lot (here ~15%), and all of it is the weights' rounding:
        # the q4 build equals PyTorch run on the same 4-bit values to float32 precision.
        assert entry["torch_q4_vs_torch"]["logits_rel_l2"] > 1e-2, name
        assert entry["q4_vs_torch_q4"]["logits_rel_l2"] < 1e-5 and entry["q4_vs_torch_q4"]["hidden_rel_l2"] < 1e-5, name
    # Every prompt fed what it should: pixels and DeepStack for the image and the video.
    assert {name for name in os.listdir(out) if os.path.exists(os.path.join(out, name, "pixel_values.npy"))} == {"image", "video"}


def test_the_comparison_fails_when_pytorch_ran_other_weights(compared):
    """A copy of the checkpoint in bfloat16 with one decoder matrix scaled by 1.01 and one
    embedding row changed: the report must fail on every prompt (the export has the old weights),
    and same-weights must tell the checkpoints apart. It also runs the reference's bfloat16-stored
    path, which must equal transformers' own float32 model on the same bfloat16 values."""
    from safetensors.torch import load_file, save_file
    from transformers import Qwen3VLForConditionalGeneration

    checkpoint, exported, out, root = compared
    assert compare_full.same_weights(checkpoint, exported)
    other, other_out = str(root / "other"), str(root / "other-out")
    shutil.copytree(checkpoint, other)
    tensors = load_file(os.path.join(other, "model.safetensors"))
    tensors = {key: value.to(torch.bfloat16) for key, value in tensors.items()}
    tensors["model.language_model.layers.1.mlp.down_proj.weight"] *= 1.01
    tensors["model.language_model.embed_tokens.weight"][7] += 0.5
    save_file(tensors, os.path.join(other, "model.safetensors"), metadata={"format": "pt"})
    assert not compare_full.same_weights(other, exported)

    compare_full.run_reference(other, other_out, **SIZES)
    for name in compare_full.PROMPTS:
        # Same inputs, so the export's outputs carry over.
        assert np.array_equal(np.load(os.path.join(out, name, "input_ids.npy")), np.load(os.path.join(other_out, name, "input_ids.npy")))
        for part in ("logits", "hidden"):
            shutil.copy(os.path.join(out, name, f"fp32.{part}.npy"), os.path.join(other_out, name, f"fp32.{part}.npy"))
    result = compare_full.report(other_out, ["fp32"])
    assert len(result["failures"]) == len(compare_full.PROMPTS), result["failures"]

    model = Qwen3VLForConditionalGeneration.from_pretrained(other, dtype=torch.float32, attn_implementation="eager").eval()
    ids = torch.from_numpy(np.load(os.path.join(other_out, "text", "input_ids.npy")))
    with torch.no_grad():
        hidden = model.model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[:, -1:]
        logits = model.lm_head(hidden)[0, -1].numpy()
    assert np.array_equal(hidden[0, -1].numpy(), np.load(os.path.join(other_out, "text", "torch.hidden.npy")))
    assert np.array_equal(logits, np.load(os.path.join(other_out, "text", "torch.logits.npy")))
