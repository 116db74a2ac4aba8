#!/usr/bin/env python3
"""Generate a tiny random-weight Qwen2.5-VL model for the browser tests.

Run from the repository root (needs Python 3 with `onnx` >= 1.12 and `numpy`; on Debian:
`apt-get install python3-onnx python3-numpy`, then use /usr/bin/python3):

    /usr/bin/python3 models/tiny/make-tiny-vlm.py

It (re)writes models/tiny/tiny-random-qwen2_5_vl/. The output is byte-for-byte the same on every
run with the same onnx and numpy versions (fixed seed, fixed corpus), so the generated files can
be committed.

What it mirrors, and why: transformers.js (4.3.x) loads Qwen2.5-VL as
`Qwen2_5_VLForConditionalGeneration` with three ONNX sessions in `onnx/`: `vision_encoder`,
`embed_tokens` and `decoder_model_merged` (the layout of the onnx-community exports). The graphs
here accept and return exactly the tensor names, dtypes and ranks that transformers.js feeds and
reads, including the merged decoder's KV cache (`past_key_values.N.key/value` in,
`present.N.key/value` out, dims named as optimum names them so transformers.js can size the empty
cache from the session metadata). The config, preprocessor and tokenizer files have the family's
shape, special tokens and chat template, so the real processor, mRoPE position code and chat
template run unchanged. Only the sizes are tiny: a byte-level BPE vocabulary of a few hundred
tokens and a 16-wide, 2-layer "decoder" whose layers are a masked mean over the KV cache, not
attention. The weights are random; the LM head pushes special tokens and non-ASCII bytes far
down, so replies are ASCII noise that never stops early and always runs to max_new_tokens (tests
rely on that to exercise streaming and interrupts). It says nothing about answer quality: it
exists to test the engine path.
"""

import json
import os
import re

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-random-qwen2_5_vl")
SEED = 20251213

# Text model sizes (Qwen2.5-VL-3B: hidden 2048, 36 layers, 16 heads, 2 KV heads, head_dim 128).
HIDDEN = 16
LAYERS = 2
HEADS = 2
KV_HEADS = 1
HEAD_DIM = HIDDEN // HEADS
# Vision sizes: patch, temporal patch and merge sizes are the real ones, since the processor's
# patch layout (3 * 2 * 14 * 14 = 1176 values per patch, 2x2 patches per token) depends on them.
PATCH = 14
TEMPORAL_PATCH = 2
MERGE = 2
PATCH_DIM = 3 * TEMPORAL_PATCH * PATCH * PATCH
VISION_HIDDEN = 16

OPSET = 17
IR_VERSION = 8

# Qwen2.5-VL's added tokens, in the family's order (real ids start at 151643). Here they follow
# the small base vocabulary in the same order, so relative offsets match the real tokenizer.
ADDED_TOKENS = [
    ("<|endoftext|>", True),
    ("<|im_start|>", True),
    ("<|im_end|>", True),
    ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True),
    ("<|box_start|>", True),
    ("<|box_end|>", True),
    ("<|quad_start|>", True),
    ("<|quad_end|>", True),
    ("<|vision_start|>", True),
    ("<|vision_end|>", True),
    ("<|vision_pad|>", True),
    ("<|image_pad|>", True),
    ("<|video_pad|>", True),
    ("<tool_call>", False),
    ("</tool_call>", False),
    ("<|fim_prefix|>", False),
    ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False),
    ("<|fim_pad|>", False),
    ("<|repo_name|>", False),
    ("<|file_sep|>", False),
]

# The Qwen2-VL / Qwen2.5-VL chat template: images become <|vision_start|><|image_pad|><|vision_end|>,
# which the processor expands to one <|image_pad|> per merged patch.
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# Qwen2's pre-tokenizer split (contractions, letters, single digits, punctuation, newlines, spaces).
QWEN2_SPLIT_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# A fixed corpus for the BPE merges, in the register SAGE prompts and answers use.
MERGE_CORPUS = """
<json>{"video_context": "the video shows a person talking in a kitchen", "query_intent": "what the
person says", "final_answer": null, "recommended_tools": {"needed": true, "why_no_tool": "",
"tool_calls": [{"rationale": "the answer is in the speech", "name": "verbal_transcript",
"arguments": {"video_path": "video.mp4", "timestamp_start": "00:00:10",
"timestamp_end": "00:01:30"}}]}}</json>
{"answerable": {"verdict": true, "reasoning": "the transcript names the dish"},
"final_answer": "The person is cooking pasta with tomato sauce.", "recommended_tools":
{"needed": false, "why_no_tool": "the question is answered", "tool_calls": []}}
identify_timestamps_visually extract_parts_from_timestamp perform_reasoning event query frames
media_paths timestamps start end the a of and to in is that it for on with as this was what when
"""
NUM_MERGES = 96


def bytes_to_unicode():
    """GPT-2 style byte-level alphabet: every byte maps to a printable character."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("\xa1"), ord("\xac") + 1))
        + list(range(ord("\xae"), ord("\xff") + 1))
    )
    mapping = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


def train_merges(corpus, count, byte_map):
    """Plain BPE training on the corpus words (leading space kept, as Qwen2's split does)."""
    words = {}
    for word in re.findall(r" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+", corpus):
        symbols = tuple(byte_map[b] for b in word.encode("utf-8"))
        words[symbols] = words.get(symbols, 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for symbols, freq in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] = pairs.get(pair, 0) + freq
        if not pairs:
            break
        # Ties break on the pair itself so the result never depends on dict order.
        best = max(pairs.items(), key=lambda item: (item[1], item[0]))[0]
        merges.append(best)
        merged = {}
        for symbols, freq in words.items():
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + freq
        words = merged
    return merges


def build_tokenizer():
    byte_map = bytes_to_unicode()
    vocab = {}
    for b in range(256):
        vocab[byte_map[b]] = len(vocab)
    merges = train_merges(MERGE_CORPUS, NUM_MERGES, byte_map)
    for left, right in merges:
        if left + right not in vocab:
            vocab[left + right] = len(vocab)
    base = len(vocab)
    added = [
        {
            "id": base + i,
            "content": content,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": special,
        }
        for i, (content, special) in enumerate(ADDED_TOKENS)
    ]
    ids = {token["content"]: token["id"] for token in added}
    tokenizer_json = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {
                    "type": "Split",
                    "pattern": {"Regex": QWEN2_SPLIT_REGEX},
                    "behavior": "Isolated",
                    "invert": False,
                },
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
            ],
        },
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [f"{left} {right}" for left, right in merges],
        },
    }
    tokenizer_config = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(token["id"]): {k: v for k, v in token.items() if k != "id"} for token in added
        },
        "additional_special_tokens": [content for content, special in ADDED_TOKENS[1:14] if special],
        "bos_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "extra_special_tokens": {},
        "model_max_length": 131072,
        "pad_token": "<|endoftext|>",
        "processor_class": "Qwen2_5_VLProcessor",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    return tokenizer_json, tokenizer_config, ids, base + len(added), base


def value_info(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def init(name, array):
    return numpy_helper.from_array(np.ascontiguousarray(array), name)


def save(graph, path):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="make-tiny-vlm.py",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def vision_encoder(rng):
    """pixel_values [num_patches, 1176] + image_grid_thw [num_images, 3] -> image_features [tokens, H].

    Like the real encoder, the token count comes from the grid (sum of t*h*w / merge^2), and each
    token pools its 2x2 block of consecutive patches (the processor orders patches that way).
    """
    nodes = [
        helper.make_node("ReduceProd", ["image_grid_thw"], ["patches_per_image"], axes=[1], keepdims=0),
        helper.make_node("ReduceSum", ["patches_per_image", "axis0"], ["total_patches"], keepdims=1),
        helper.make_node("Div", ["total_patches", "merge_area"], ["total_tokens"]),
        helper.make_node("Concat", ["total_tokens", "group_shape"], ["grouped_shape"], axis=0),
        helper.make_node("Reshape", ["pixel_values", "grouped_shape"], ["grouped"]),
        helper.make_node("MatMul", ["grouped", "patch_embed"], ["embedded"]),
        helper.make_node("ReduceMean", ["embedded"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("Tanh", ["pooled"], ["activated"]),
        helper.make_node("MatMul", ["activated", "merger"], ["image_features"]),
    ]
    initializers = [
        init("axis0", np.array([0], dtype=np.int64)),
        init("merge_area", np.array([MERGE * MERGE], dtype=np.int64)),
        init("group_shape", np.array([MERGE * MERGE, PATCH_DIM], dtype=np.int64)),
        init("patch_embed", (rng.standard_normal((PATCH_DIM, VISION_HIDDEN)) * 0.05).astype(np.float32)),
        init("merger", (rng.standard_normal((VISION_HIDDEN, HIDDEN)) * 0.5).astype(np.float32)),
    ]
    graph = helper.make_graph(
        nodes,
        "vision_encoder",
        [
            value_info("pixel_values", TensorProto.FLOAT, ["num_patches", PATCH_DIM]),
            value_info("image_grid_thw", TensorProto.INT64, ["num_images", 3]),
        ],
        [value_info("image_features", TensorProto.FLOAT, ["num_image_tokens", HIDDEN])],
        initializers,
    )
    return graph


def embed_tokens(rng, vocab_size):
    """input_ids [batch, seq] -> inputs_embeds [batch, seq, H]."""
    graph = helper.make_graph(
        [helper.make_node("Gather", ["embed_weight", "input_ids"], ["inputs_embeds"], axis=0)],
        "embed_tokens",
        [value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"])],
        [value_info("inputs_embeds", TensorProto.FLOAT, ["batch_size", "sequence_length", HIDDEN])],
        [init("embed_weight", rng.standard_normal((vocab_size, HIDDEN)).astype(np.float32))],
    )
    return graph


def decoder_model_merged(rng, vocab_size, suppressed_ids):
    """The merged decoder: the first call has an empty cache, later calls one token each.

    Each layer appends this step's keys and values to the cache (present = past ++ new) and adds a
    projection of the attention-masked mean of the cache to the hidden state, so a wrong cache,
    mask length or position layout fails here as it would on the real model.
    """
    nodes = [
        # mRoPE positions [3, batch, seq] -> [batch, seq, 3] -> a bounded positional signal.
        helper.make_node("Cast", ["position_ids"], ["positions_f"], to=TensorProto.FLOAT),
        helper.make_node("Transpose", ["positions_f"], ["positions_bs3"], perm=[1, 2, 0]),
        helper.make_node("MatMul", ["positions_bs3", "position_proj"], ["positions_h"]),
        helper.make_node("Sin", ["positions_h"], ["positions_sin"]),
        helper.make_node("Add", ["inputs_embeds", "positions_sin"], ["hidden_0"]),
        # Mask [batch, total] -> [batch, 1, total, 1] weights for the cache mean.
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "mask_axes"], ["mask_4d"]),
        helper.make_node("ReduceSum", ["mask_4d", "time_axis"], ["mask_count"], keepdims=1),
        helper.make_node("Add", ["mask_count", "epsilon"], ["mask_denominator"]),
    ]
    initializers = [
        init("position_proj", (rng.standard_normal((3, HIDDEN)) * 0.1).astype(np.float32)),
        init("mask_axes", np.array([1, 3], dtype=np.int64)),
        init("time_axis", np.array([2], dtype=np.int64)),
        init("epsilon", np.array(1e-6, dtype=np.float32)),
        init("heads_shape", np.array([0, 0, KV_HEADS, HEAD_DIM], dtype=np.int64)),
        init("context_shape", np.array([0, 1, KV_HEADS * HEAD_DIM], dtype=np.int64)),
    ]
    inputs = [
        value_info("inputs_embeds", TensorProto.FLOAT, ["batch_size", "sequence_length", HIDDEN]),
        value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        value_info("position_ids", TensorProto.INT64, [3, "batch_size", "sequence_length"]),
    ]
    outputs = [value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab_size])]

    hidden = "hidden_0"
    for layer in range(LAYERS):
        p = f"layer{layer}_"
        for kind in ("key", "value"):
            past = f"past_key_values.{layer}.{kind}"
            present = f"present.{layer}.{kind}"
            inputs.append(
                value_info(past, TensorProto.FLOAT, ["batch_size", KV_HEADS, "past_sequence_length", HEAD_DIM])
            )
            outputs.append(
                value_info(present, TensorProto.FLOAT, ["batch_size", KV_HEADS, "total_sequence_length", HEAD_DIM])
            )
            nodes += [
                helper.make_node("MatMul", [hidden, p + kind + "_proj"], [p + kind + "_flat"]),
                helper.make_node("Reshape", [p + kind + "_flat", "heads_shape"], [p + kind + "_heads"]),
                helper.make_node("Transpose", [p + kind + "_heads"], [p + kind + "_new"], perm=[0, 2, 1, 3]),
                helper.make_node("Concat", [past, p + kind + "_new"], [present], axis=2),
            ]
            initializers.append(
                init(p + kind + "_proj", (rng.standard_normal((HIDDEN, KV_HEADS * HEAD_DIM)) * 0.5).astype(np.float32))
            )
        nodes += [
            helper.make_node("Mul", [f"present.{layer}.key", f"present.{layer}.value"], [p + "kv"]),
            helper.make_node("Mul", [p + "kv", "mask_4d"], [p + "kv_masked"]),
            helper.make_node("ReduceSum", [p + "kv_masked", "time_axis"], [p + "kv_sum"], keepdims=1),
            helper.make_node("Div", [p + "kv_sum", "mask_denominator"], [p + "kv_mean"]),
            helper.make_node("Transpose", [p + "kv_mean"], [p + "context_heads"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [p + "context_heads", "context_shape"], [p + "context"]),
            helper.make_node("MatMul", [p + "context", p + "out_proj"], [p + "context_h"]),
            helper.make_node("Tanh", [p + "context_h"], [p + "context_act"]),
            helper.make_node("Add", [hidden, p + "context_act"], [p + "mixed"]),
            helper.make_node("MatMul", [p + "mixed", p + "mlp"], [p + "mlp_out"]),
            helper.make_node("Tanh", [p + "mlp_out"], [p + "mlp_act"]),
            helper.make_node("Add", [p + "mixed", p + "mlp_act"], [p + "out"]),
        ]
        initializers += [
            init(p + "out_proj", (rng.standard_normal((KV_HEADS * HEAD_DIM, HIDDEN)) * 0.5).astype(np.float32)),
            init(p + "mlp", (rng.standard_normal((HIDDEN, HIDDEN)) * 0.5).astype(np.float32)),
        ]
        hidden = p + "out"

    bias = np.zeros(vocab_size, dtype=np.float32)
    bias[suppressed_ids] = -1e4
    nodes += [
        helper.make_node("MatMul", [hidden, "lm_head"], ["lm_logits"]),
        helper.make_node("Add", ["lm_logits", "lm_bias"], ["logits"]),
    ]
    initializers += [
        init("lm_head", (rng.standard_normal((HIDDEN, vocab_size)) * 1.5).astype(np.float32)),
        init("lm_bias", bias),
    ]
    return helper.make_graph(nodes, "decoder_model_merged", inputs, outputs, initializers)


def write_json(name, data):
    with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(os.path.join(OUT_DIR, "onnx"), exist_ok=True)

    tokenizer_json, tokenizer_config, ids, vocab_size, first_added = build_tokenizer()

    config = {
        "architectures": ["Qwen2_5_VLForConditionalGeneration"],
        "model_type": "qwen2_5_vl",
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|endoftext|>"],
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
        "vision_token_id": ids["<|vision_pad|>"],
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "text_config": {
            "model_type": "qwen2_5_vl_text",
            "vocab_size": vocab_size,
            "hidden_size": HIDDEN,
            "intermediate_size": HIDDEN * 2,
            "num_hidden_layers": LAYERS,
            "num_attention_heads": HEADS,
            "num_key_value_heads": KV_HEADS,
            "head_dim": HEAD_DIM,
            "hidden_act": "silu",
            "max_position_embeddings": 128000,
            "rms_norm_eps": 1e-6,
            "rope_theta": 1000000.0,
            "rope_scaling": {"type": "mrope", "mrope_section": [1, 1, 2]},
            "sliding_window": 32768,
            "use_sliding_window": False,
            "max_window_layers": LAYERS,
            "attention_dropout": 0.0,
            "initializer_range": 0.02,
            "use_cache": True,
            "bos_token_id": ids["<|endoftext|>"],
            "eos_token_id": ids["<|im_end|>"],
            "tie_word_embeddings": False,
            "torch_dtype": "float32",
        },
        "vision_config": {
            "model_type": "qwen2_5_vl",
            "depth": 1,
            "hidden_size": VISION_HIDDEN,
            "intermediate_size": VISION_HIDDEN * 2,
            "num_heads": 2,
            "in_chans": 3,
            "out_hidden_size": HIDDEN,
            "patch_size": PATCH,
            "spatial_patch_size": PATCH,
            "spatial_merge_size": MERGE,
            "temporal_patch_size": TEMPORAL_PATCH,
            "window_size": 112,
            "fullatt_block_indexes": [0],
            "tokens_per_second": 2,
            "hidden_act": "silu",
        },
        "transformers.js_config": {"dtype": "fp32"},
    }
    generation_config = {
        "bos_token_id": ids["<|endoftext|>"],
        "pad_token_id": ids["<|endoftext|>"],
        "eos_token_id": [ids["<|im_end|>"], ids["<|endoftext|>"]],
        "do_sample": True,
        "repetition_penalty": 1.05,
        "temperature": 0.1,
        "top_k": 1,
        "top_p": 0.001,
    }
    preprocessor_config = {
        "do_convert_rgb": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711],
        "image_processor_type": "Qwen2VLImageProcessor",
        "max_pixels": 12845056,
        "merge_size": MERGE,
        "min_pixels": 3136,
        "patch_size": PATCH,
        "processor_class": "Qwen2_5_VLProcessor",
        "resample": 3,
        "rescale_factor": 1 / 255,
        "size": {"longest_edge": 12845056, "shortest_edge": 3136},
        "temporal_patch_size": TEMPORAL_PATCH,
    }

    write_json("config.json", config)
    write_json("generation_config.json", generation_config)
    write_json("preprocessor_config.json", preprocessor_config)
    write_json("tokenizer.json", tokenizer_json)
    write_json("tokenizer_config.json", tokenizer_config)
    write_json("chat_template.json", {"chat_template": CHAT_TEMPLATE})

    # Special tokens and non-ASCII or control bytes never win the argmax, so replies are plain ASCII
    # text (no stray halves of UTF-8 sequences) that runs to max_new_tokens. Byte b has id b.
    printable = set(range(0x20, 0x7F)) | {0x0A}
    suppressed = [b for b in range(256) if b not in printable] + list(range(first_added, vocab_size))
    save(vision_encoder(rng), os.path.join(OUT_DIR, "onnx", "vision_encoder.onnx"))
    save(embed_tokens(rng, vocab_size), os.path.join(OUT_DIR, "onnx", "embed_tokens.onnx"))
    save(decoder_model_merged(rng, vocab_size, suppressed), os.path.join(OUT_DIR, "onnx", "decoder_model_merged.onnx"))

    total = 0
    for root, _, files in os.walk(OUT_DIR):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    print(f"wrote {OUT_DIR} ({total} bytes, vocabulary {vocab_size})")


if __name__ == "__main__":
    main()
