#!/usr/bin/env python3
"""Make the tiny random-weight Qwen3 text model the small text tier's tests run, and PyTorch's answer.

    python models/tiny/make_tiny_text.py            # (re)writes the model and the reference
    python models/tiny/make_tiny_text.py --check    # recomputes both and compares (CI)

Run it with the export tool's environment (models/export/requirements.txt). It

1. builds a Qwen3ForCausalLM (the architecture of Qwen3-0.6B, the text tier's model: q/k norms,
   grouped-query attention, 1-D RoPE) from a config with `transformers`, a few hundred kilobytes,
   with seeded random weights and the tiny tokenizer of make_tiny.py;
2. exports it the way transformers.js loads a decoder-only model: onnx/model.onnx with
   input_ids, attention_mask, position_ids and past_key_values.N.key/value in, logits and
   present.N.key/value out (explicit key/value concatenation, the graphs of models/export), in
   fp32 and q4 (MatMulNBits in blocks of 32, as models/export makes q4); fp32's greedy tokens must equal PyTorch's;
3. writes tests/fixtures/tiny-text/reference.json: a chat prompt's input ids and PyTorch's greedy
   tokens and text, which the browser test compares with the text tier's worker.

As in make_tiny.py one embedding direction is kept constant and read by the LM head, so replies
are printable ASCII that run to max_new_tokens, clear of near-ties float rounding could flip.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.join(HERE, "tiny-random-qwen3")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-text")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "models", "export"))

from make_tiny import ascii_only  # noqa: E402
from sage_export.graphs import causal_mask, decoder_layer  # noqa: E402
from sage_export.onnx_io import OPSET, cache_io  # noqa: E402
from tiny_tokenizer import build_tokenizer, write_tokenizer  # noqa: E402

SEED = 20251207
GREEDY_STEPS = 16
DTYPES = ("fp32", "q4")
# transformers.js file-name suffix per dtype (onnx/model<suffix>.onnx).
SUFFIX = {"fp32": "", "q4": "_q4"}
# q4 as models/export makes it: every MatMul with a constant weight becomes MatMulNBits, 4-bit symmetric in blocks of 32.
BLOCK_SIZE = 32
MESSAGES = [
    {"role": "system", "content": "Answer from the passages."},
    {"role": "user", "content": "[00:29] The green pigment is called chlorophyll.\nQuestion: What is the pigment called?"},
]


def build_checkpoint(folder: str) -> None:
    from transformers import Qwen3Config, Qwen3ForCausalLM

    tokenizer_json, tokenizer_config, ids, vocab_size, first_added = build_tokenizer()
    config = Qwen3Config(
        vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=16, max_position_embeddings=4096, rope_theta=1000000.0, rms_norm_eps=1e-6,
        initializer_range=0.1, tie_word_embeddings=False, bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    torch.manual_seed(SEED)
    model = Qwen3ForCausalLM(config).eval()
    ascii_only(model.model, model.lm_head, vocab_size, first_added)
    model.generation_config.do_sample = False
    model.save_pretrained(folder)
    write_tokenizer(folder, tokenizer_json, tokenizer_config)


class CausalLm(nn.Module):
    """forward(input_ids, attention_mask, position_ids, *past) -> (logits, *present)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past):
        from transformers.models.qwen3.modeling_qwen3 import apply_rotary_pos_emb

        text = self.model.model
        hidden = text.embed_tokens(input_ids)
        batch, length, _ = hidden.shape
        cos, sin = text.rotary_emb(hidden, position_ids)
        mask = causal_mask(hidden, attention_mask, past[0].shape[2])
        rotate = lambda query, key: apply_rotary_pos_emb(query, key, cos, sin)  # noqa: E731
        present = []
        for index, layer in enumerate(text.layers):
            hidden, key, value = decoder_layer(layer, hidden, (batch, length), rotate, mask, past[2 * index], past[2 * index + 1])
            present += [key, value]
        return (self.model.lm_head(text.norm(hidden)), *present)


def export(folder: str) -> None:
    from transformers import Qwen3ForCausalLM

    model = Qwen3ForCausalLM.from_pretrained(folder).eval()
    config = model.config
    layers, heads, head_dim = config.num_hidden_layers, config.num_key_value_heads, config.head_dim
    batch, length, past_length = 1, 3, 4
    past = [torch.randn(batch, heads, past_length, head_dim) for _ in range(2 * layers)]
    past_names, present_names, cache_axes = cache_io(layers)
    dynamic = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        **cache_axes,
    }
    args = (
        torch.randint(0, 200, (batch, length)),
        torch.ones(batch, past_length + length, dtype=torch.int64),
        torch.arange(past_length, past_length + length).view(1, -1),
        *past,
    )
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    traced = os.path.join(tempfile.mkdtemp(), "model.onnx")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            CausalLm(model).eval(), args, traced, input_names=["input_ids", "attention_mask", "position_ids", *past_names],
            output_names=["logits", *present_names], dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )
    onnx.save(onnx.load(traced), os.path.join(folder, "onnx", "model.onnx"))
    onnx.save(_to_q4(onnx.load(traced)), os.path.join(folder, "onnx", f"model{SUFFIX['q4']}.onnx"))
    shutil.rmtree(os.path.dirname(traced))


def _to_q4(model: onnx.ModelProto) -> onnx.ModelProto:
    import logging

    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    logging.getLogger("onnxruntime.quantization").setLevel(logging.WARNING)
    quantizer = MatMulNBitsQuantizer(model, block_size=BLOCK_SIZE, is_symmetric=True)
    quantizer.process()
    return quantizer.model.model


def reference(folder: str) -> dict:
    """PyTorch's greedy reply to MESSAGES, and each export's greedy tokens through ONNX Runtime."""
    import onnxruntime as ort
    from transformers import AutoTokenizer, Qwen3ForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = Qwen3ForCausalLM.from_pretrained(folder).eval()
    prompt = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        generated = model.generate(ids, max_new_tokens=GREEDY_STEPS, do_sample=False)[0, ids.shape[1]:].tolist()
    # Greedy tokens each export shares with PyTorch before the first difference: fp32 must share all
    # of them; 4-bit weights move random logits enough to part early, which is recorded, not required.
    agreement = {}
    for dtype in DTYPES:
        session = ort.InferenceSession(os.path.join(folder, "onnx", f"model{SUFFIX[dtype]}.onnx"))
        theirs = _onnx_greedy(session, model.config, ids[0].tolist())
        agreement[dtype] = next((i for i, (a, b) in enumerate(zip(theirs, generated)) if a != b), len(generated))
    return {
        "messages": MESSAGES,
        "prompt": prompt,
        "inputIds": ids[0].tolist(),
        "greedyTokens": generated,
        "greedyText": tokenizer.decode(generated, skip_special_tokens=True),
        "greedyTokensSharedWithPytorch": agreement,
    }


def _onnx_greedy(session, config, ids: list[int]) -> list[int]:
    layers, heads, head_dim = config.num_hidden_layers, config.num_key_value_heads, config.head_dim
    past = {f"past_key_values.{i}.{k}": np.zeros((1, heads, 0, head_dim), np.float32) for i in range(layers) for k in ("key", "value")}
    tokens, out = list(ids), []
    feed_ids, start = ids, 0
    for _ in range(GREEDY_STEPS):
        total = start + len(feed_ids)
        outputs = session.run(None, {
            "input_ids": np.array([feed_ids], np.int64),
            "attention_mask": np.ones((1, total), np.int64),
            "position_ids": np.arange(start, total, dtype=np.int64)[None],
            **past,
        })
        token = int(outputs[0][0, -1].argmax())
        out.append(token)
        past = {name: value for name, value in zip(past.keys(), outputs[1:])}
        tokens.append(token)
        feed_ids, start = [token], total
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="rebuild in a temporary folder and compare with the committed reference")
    check = parser.parse_args().check
    folder = tempfile.mkdtemp() if check else MODEL_DIR
    if not check:
        shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    build_checkpoint(folder)
    export(folder)
    result = reference(folder)
    if result["greedyTokensSharedWithPytorch"]["fp32"] != GREEDY_STEPS:
        print(f"the fp32 export disagrees with PyTorch: {result['greedyTokensSharedWithPytorch']}", file=sys.stderr)
        return 1
    if check:
        with open(os.path.join(FIXTURES, "reference.json"), encoding="utf-8") as handle:
            committed = json.load(handle)
        shutil.rmtree(folder)
        if committed != result:
            print("the rebuilt model's reference differs from tests/fixtures/tiny-text/reference.json", file=sys.stderr)
            return 1
        print("tiny text model reference matches")
        return 0
    # The weights in safetensors are only for PyTorch; the browser reads the ONNX files.
    for name in os.listdir(folder):
        if name.endswith(".safetensors"):
            os.remove(os.path.join(folder, name))
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1)
        handle.write("\n")
    print(f"wrote {folder} and {FIXTURES}/reference.json: {result['greedyText']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
