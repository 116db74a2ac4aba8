"""Checks a local checkpoint folder before anything heavy runs, with messages that say what to fix."""

from __future__ import annotations

import json
import os
import re
import struct
from dataclasses import dataclass, field

from tokenizers import Tokenizer

SUPPORTED_TYPES = ("qwen2_5_vl", "qwen3_vl")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
PROCESSOR_FILES = ("preprocessor_config.json",)


class CheckpointError(Exception):
    """The folder is not a complete, supported checkpoint; the message says what is wrong."""


@dataclass
class Checkpoint:
    path: str
    config: dict
    weight_files: list[str]
    weight_bytes: int
    # tensor name -> (shard path, safetensors dtype, shape, offset of its data in the shard), from the shards' headers
    tensors: dict[str, tuple[str, str, tuple[int, ...], int]] = field(default_factory=dict)

    @property
    def parameters(self) -> int:
        """Parameter count estimated from the stored bytes and dtype."""
        dtype = str(self.config.get("torch_dtype") or self.config.get("dtype") or "bfloat16")
        width = 4 if "32" in dtype else 2
        return self.weight_bytes // width


def inspect_checkpoint(path: str) -> Checkpoint:
    if not os.path.isdir(path):
        raise CheckpointError(f"{path} is not a folder. Give the folder that holds config.json and the *.safetensors files.")
    config = _read_json(path, "config.json")
    model_type = config.get("model_type")
    if model_type not in SUPPORTED_TYPES:
        raise CheckpointError(f"{path}/config.json has model_type {model_type!r}; this tool exports {', '.join(SUPPORTED_TYPES)}.")
    for name in TOKENIZER_FILES + PROCESSOR_FILES:
        if not os.path.isfile(os.path.join(path, name)):
            raise CheckpointError(f"{path} has no {name}: copy the checkpoint's tokenizer and processor files too.")
    if not _has_chat_template(path):
        raise CheckpointError(f"{path} has no chat template (chat_template.json, chat_template.jinja or tokenizer_config.json's chat_template).")
    _check_tokenizer(path, config)
    weight_files = _weight_files(path)
    tensors: dict[str, tuple[str, str, tuple[int, ...], int]] = {}
    weight_bytes = 0
    for name in weight_files:
        file = os.path.join(path, name)
        header, data_start = _check_safetensors(file)
        for key, entry in header.items():
            if key != "__metadata__":
                tensors[key] = (file, entry["dtype"], tuple(entry["shape"]), data_start + entry["data_offsets"][0])
                # Each tensor's own bytes, not the file's: a shard may store a tensor once for several names (full.py --share-layers).
                weight_bytes += entry["data_offsets"][1] - entry["data_offsets"][0]
    _check_index(path, tensors)
    return Checkpoint(path=path, config=config, weight_files=weight_files, weight_bytes=weight_bytes, tensors=tensors)


def text_vocab_size(config: dict) -> int:
    return int(config.get("text_config", {}).get("vocab_size") or config.get("vocab_size") or 0)


def _check_tokenizer(folder: str, config: dict) -> None:
    """The tokenizer must be the one the config was trained with: its visual placeholder tokens at
    the config's ids, and no token id past the embedding table."""
    tokenizer = _read_json(folder, "tokenizer.json")
    added = {entry["content"]: entry["id"] for entry in tokenizer.get("added_tokens", [])}
    vocab = tokenizer.get("model", {}).get("vocab", {})
    largest = max([*added.values(), *(vocab.values() if isinstance(vocab, dict) else [])], default=-1)
    rows = text_vocab_size(config)
    if rows and largest >= rows:
        raise CheckpointError(
            f"{folder}/tokenizer.json does not match config.json: it has token id {largest}, but the model's embedding has "
            f"{rows} rows (vocab_size). Use the tokenizer files that came with this checkpoint."
        )
    # The ids the file lists are not always the ids the tokenizer uses: the tokenizers library
    # numbers an added token after the vocabulary unless the vocabulary holds it at its listed id.
    read = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    for key, token in (("image_token_id", "<|image_pad|>"), ("video_token_id", "<|video_pad|>")):
        expected = config.get(key)
        if expected is None:
            continue
        if added.get(token) != expected:
            raise CheckpointError(
                f"{folder}/tokenizer.json does not match config.json: config.json's {key} is {expected}, but the tokenizer "
                f"has {token} at {added.get(token)}. Use the tokenizer files that came with this checkpoint."
            )
        if read.token_to_id(token) != expected:
            raise CheckpointError(
                f"{folder}/tokenizer.json does not match config.json: it lists {token} at {expected}, as config.json's {key} "
                f"says, but the tokenizers library reads it as {read.token_to_id(token)} (the token is not in the vocabulary at "
                "that id). Use the tokenizer files that came with this checkpoint."
            )


def _check_index(folder: str, tensors: dict) -> None:
    index = os.path.join(folder, "model.safetensors.index.json")
    if not os.path.isfile(index):
        return
    for key, shard in _read_json(folder, "model.safetensors.index.json")["weight_map"].items():
        found = tensors.get(key)
        if found is None or os.path.basename(found[0]) != shard:
            raise CheckpointError(f"{index} lists {key} in {shard}, but that shard does not hold it: the shard is from another download. Download it again.")


def tensor_keys(model_class, checkpoint: Checkpoint) -> dict[str, str]:
    """Each model parameter name -> the checkpoint tensor that holds it, renamed the way
    `transformers` renames older checkpoints' keys on load (`_checkpoint_conversion_mapping`)."""
    mapping = getattr(model_class, "_checkpoint_conversion_mapping", {}) or {}
    keys = {}
    for key in checkpoint.tensors:
        name = key
        for pattern, replacement in mapping.items():
            name, count = re.subn(pattern, replacement, key)
            if count:
                break
        keys[name] = key
    return keys


def _read_json(folder: str, name: str) -> dict:
    file = os.path.join(folder, name)
    if not os.path.isfile(file):
        raise CheckpointError(f"{folder} has no {name}; is this a Hugging Face checkpoint folder?")
    try:
        with open(file, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{file} cannot be read as JSON: {error}") from error


def _has_chat_template(folder: str) -> bool:
    if any(os.path.isfile(os.path.join(folder, name)) for name in ("chat_template.json", "chat_template.jinja")):
        return True
    return bool(_read_json(folder, "tokenizer_config.json").get("chat_template"))


def _weight_files(folder: str) -> list[str]:
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.isfile(index):
        weight_map = _read_json(folder, "model.safetensors.index.json").get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise CheckpointError(f"{index} has no weight_map.")
        files = sorted(set(weight_map.values()))
        missing = [name for name in files if not os.path.isfile(os.path.join(folder, name))]
        if missing:
            raise CheckpointError(f"{folder} is incomplete: {len(missing)} of {len(files)} weight shards are missing ({', '.join(missing[:3])}{'...' if len(missing) > 3 else ''}).")
        return files
    if os.path.isfile(os.path.join(folder, "model.safetensors")):
        return ["model.safetensors"]
    raise CheckpointError(f"{folder} has no model.safetensors or model.safetensors.index.json (PyTorch .bin checkpoints are not read).")


def _check_safetensors(file: str) -> tuple[dict, int]:
    """Returns the header and where the data starts; fails when the header is
    unreadable or the file is cut short."""
    size = os.path.getsize(file)
    try:
        with open(file, "rb") as handle:
            (header_length,) = struct.unpack("<Q", handle.read(8))
            if header_length <= 0 or header_length > size - 8:
                raise ValueError("header length out of range")
            header = json.loads(handle.read(header_length))
    except (OSError, ValueError, struct.error) as error:
        raise CheckpointError(f"{file} is not a readable safetensors file ({error}).") from error
    end = max((entry["data_offsets"][1] for key, entry in header.items() if key != "__metadata__"), default=0)
    if 8 + header_length + end > size:
        raise CheckpointError(f"{file} is cut short: it holds {size} bytes of the {8 + header_length + end} its header lists. Download it again.")
    return header, 8 + header_length
