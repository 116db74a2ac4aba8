"""The tiny test model's tokenizer: a byte-level BPE of a few hundred tokens with Qwen2.5-VL's
added tokens (in the family's order), pre-tokenizer split and chat template, so the real Python and
transformers.js tokenizers, processors and chat templates run unchanged on it. Deterministic: a
fixed corpus, ties broken on the pair itself.
"""

import json
import os
import re

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
NUM_MERGES = 400

# The project's own Stage-1 and Stage-2 prompts (a snapshot, made by printing them once), so the
# merges cover their words and a Stage-1 prompt is hundreds of tokens, not thousands: the e2e tests
# run the tiny model through whole SAGE runs on Chromium's software WebGPU adapter.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_corpus.txt"), encoding="utf-8") as _handle:
    MERGE_CORPUS += _handle.read()


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


def write_tokenizer(folder: str, tokenizer_json: dict, tokenizer_config: dict) -> None:
    """tokenizer.json and tokenizer_config.json (from build_tokenizer) into `folder`."""
    for name, value in (("tokenizer.json", tokenizer_json), ("tokenizer_config.json", tokenizer_config)):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False)
