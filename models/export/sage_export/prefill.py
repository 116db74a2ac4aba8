"""Feeding an export's graphs for one prompt in ONNX Runtime the way the VLM worker does: the
vision encoder's features put at the prompt's image or video tokens, its DeepStack features
scattered to the same positions (zeros elsewhere and at decode steps), an empty cache, PyTorch's
mRoPE position ids, the prompt in one decoder run or in chunks, then greedy decoding. Used by the
tiny models' reference (models/tiny/make_tiny.py), the full-size comparison (compare_full.py) and
the chunked-prefill measurement (chunked_prefill.py)."""

from __future__ import annotations

import numpy as np


def float_type(dtype: str):
    """The activations' numpy type of an export dtype (q4f16 runs on float16)."""
    return np.float16 if dtype == "q4f16" else np.float32


def deepstack_layers(config: dict) -> int:
    return len(config.get("vision_config", {}).get("deepstack_visual_indexes", []))


def place_visual(embeds: np.ndarray, input_ids: np.ndarray, token_id: int, outputs: list[np.ndarray], deepstack: np.ndarray) -> None:
    """Writes one vision encoder call's features at the tokens `token_id` of the (one) prompt, and
    its DeepStack features, if any, at the same positions of `deepstack` [layers, 1, sequence, hidden]."""
    at = input_ids[0] == token_id
    embeds[0, at] = outputs[0]
    if deepstack.shape[0]:
        deepstack[:, 0, at] = outputs[1]


def empty_past(decoder, dtype: str) -> dict[str, np.ndarray]:
    """The decoder's past_key_values inputs with no cached positions."""
    return {
        meta.name: np.zeros([1 if d == "batch_size" else 0 if isinstance(d, str) else d for d in meta.shape], dtype=float_type(dtype))
        for meta in decoder.get_inputs()
        if meta.name.startswith("past_key_values")
    }


def decoder_feeds(decoder, embeds: np.ndarray, positions: np.ndarray, length: int, past: dict, deepstack: np.ndarray) -> dict:
    """One decoder run's inputs: next-token logits only, the attention mask over `length` positions."""
    feeds = {
        "inputs_embeds": embeds,
        "attention_mask": np.ones((1, length), dtype=np.int64),
        "position_ids": positions,
        "num_logits_to_keep": np.array(1, dtype=np.int64),
        **past,
    }
    if any(meta.name == "deepstack_visual_embeds" for meta in decoder.get_inputs()):
        feeds["deepstack_visual_embeds"] = deepstack
    return feeds


def present_as_past(decoder, outputs: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The cache a decoder run returns, named as the next run's inputs."""
    names = [meta.name for meta in decoder.get_outputs()]
    return {name.replace("present", "past_key_values"): value for name, value in zip(names, outputs) if name.startswith("present")}


def chunked_prefill(decoder, embeds: np.ndarray, positions: np.ndarray, deepstack: np.ndarray, dtype: str, chunk: int) -> tuple[np.ndarray, dict]:
    """Runs a prompt (inputs_embeds [1, L, hidden], position_ids [3, 1, L], DeepStack
    [layers, 1, L, hidden]) through the decoder in chunks of `chunk` tokens (0 or >= L: one run).
    Returns the last run's logits [1, 1, vocab] and the cache after the whole prompt."""
    length = embeds.shape[1]
    chunk = chunk if 0 < chunk < length else length
    past = empty_past(decoder, dtype)
    for start in range(0, length, chunk):
        end = min(start + chunk, length)
        feeds = decoder_feeds(decoder, embeds[:, start:end], positions[:, :, start:end], end, past, deepstack[:, :, start:end])
        outputs = decoder.run(None, feeds)
        past = present_as_past(decoder, outputs)
    return outputs[0], past


def greedy_continue(decoder, embed, logits: np.ndarray, past: dict, length: int, next_position: int, layers: int, dtype: str, steps: int) -> list[int]:
    """`steps` greedy tokens after a prefill of `length` tokens whose logits and cache are given;
    each decode step is at mRoPE position `next_position` + its index (all three axes)."""
    tokens: list[int] = []
    for step in range(steps):
        token = int(np.argmax(logits[0, -1].astype(np.float32)))
        tokens.append(token)
        if step == steps - 1:
            break
        embeds = embed.run(None, {"input_ids": np.array([[token]], dtype=np.int64)})[0]
        deepstack = np.zeros((layers, 1, 1, embeds.shape[-1]), dtype=float_type(dtype))
        positions = np.full((3, 1, 1), next_position + step, dtype=np.int64)
        outputs = decoder.run(None, decoder_feeds(decoder, embeds, positions, length + step + 1, past, deepstack))
        logits, past = outputs[0], present_as_past(decoder, outputs)
    return tokens
