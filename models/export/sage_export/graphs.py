"""Qwen2.5-VL's three parts as traceable modules with the inputs and outputs transformers.js feeds.

They reuse the checkpoint's own submodules (patch embedding, norms, MLPs, merger, rotary tables,
projections) and rewrite only what cannot be traced: the vision tower's per-window and per-frame
attention (the reference splits tensors by Python lists) and the text model's cache objects.

- vision: each patch's row, column and frame are computed from `image_grid_thw` with tensor
  arithmetic, so one graph serves any grid. Attention runs in the processor's patch order with a
  mask (same frame for full-attention blocks, same window for the others) instead of the
  reference's reorder-by-window, run, reorder-back: attention is order-free and everything else is
  per patch or per 2x2 unit, so only the summation order of softmax terms differs (about 1e-7).
  The graph takes one grid row per call; the worker calls it per image or per run of frames.
- decoder: explicit key/value concatenation (`past_key_values.N.*` in, `present.N.*` out), a
  causal-and-padding mask, 3-D mRoPE `position_ids`, and `num_logits_to_keep` (0 = every position)
  so a long prompt's prefill does not materialise logits for every token.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import (
    apply_multimodal_rotary_pos_emb,
    apply_rotary_pos_emb_vision,
    repeat_kv,
)


class VisionEncoder(nn.Module):
    """pixel_values [patches, C*T*P*P] and image_grid_thw [1, 3] -> image_features [patches/4, hidden]."""

    def __init__(self, visual: nn.Module) -> None:
        super().__init__()
        self.visual = visual
        config = visual.config
        self.merge = config.spatial_merge_size
        self.window = config.window_size // config.spatial_merge_size // config.patch_size
        self.full_attention = set(config.fullatt_block_indexes)

    def forward(self, pixel_values: torch.Tensor, image_grid_thw: torch.Tensor) -> torch.Tensor:
        visual = self.visual
        merge, window = self.merge, self.window
        hidden = visual.patch_embed(pixel_values)

        height, width = image_grid_thw[0, 1], image_grid_thw[0, 2]
        frame, unit_row, unit_col, units_per_row, cos, sin = patch_places(visual, hidden, height, width, merge)

        windows_per_row = units_per_row // window + 1
        windows_per_frame = (height // merge // window + 1) * windows_per_row
        window_id = frame * windows_per_frame + (unit_row // window) * windows_per_row + unit_col // window
        blocked = torch.finfo(hidden.dtype).min
        frame_mask = torch.where(frame[:, None] == frame[None, :], 0.0, blocked).to(hidden.dtype)
        window_mask = torch.where(window_id[:, None] == window_id[None, :], 0.0, blocked).to(hidden.dtype)

        for index, block in enumerate(visual.blocks):
            mask = frame_mask if index in self.full_attention else window_mask
            hidden = hidden + vision_attention(block.attn, block.norm1(hidden), cos, sin, mask)
            hidden = hidden + block.mlp(block.norm2(hidden))
        return visual.merger(hidden)


def patch_places(visual: nn.Module, hidden: torch.Tensor, height, width, merge: int):
    """Each patch's frame, and row and column of its 2x2 unit, in the processor's patch order (frame
    by frame, unit by unit); units per row; and the vision rotary embedding's cos and sin for the
    patch's row and column."""
    units_per_row = width // merge
    patch = torch.arange(hidden.shape[0], device=hidden.device)
    frame = patch // (height * width)
    in_frame = patch % (height * width)
    unit, in_unit = in_frame // (merge * merge), in_frame % (merge * merge)
    unit_row, unit_col = unit // units_per_row, unit % units_per_row
    row = unit_row * merge + in_unit // merge
    col = unit_col * merge + in_unit % merge

    inv_freq = visual.rotary_pos_emb.inv_freq
    angles = torch.cat([row[:, None].float() * inv_freq[None, :], col[:, None].float() * inv_freq[None, :]], dim=-1)
    angles = torch.cat([angles, angles], dim=-1)
    return frame, unit_row, unit_col, units_per_row, angles.cos(), angles.sin()


def vision_attention(attn: nn.Module, x: torch.Tensor, cos, sin, mask: torch.Tensor) -> torch.Tensor:
    """A vision block's attention over all patches, `mask` keeping each within its frame or window."""
    length = x.shape[0]
    qkv = attn.qkv(x).reshape(length, 3, attn.num_heads, -1).permute(1, 0, 2, 3)
    query, key, value = qkv[0], qkv[1], qkv[2]
    query, key = apply_rotary_pos_emb_vision(query, key, cos, sin)
    query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
    scores = torch.matmul(query, key.transpose(1, 2)) * attn.scaling + mask
    weights = torch.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
    out = torch.matmul(weights, value).transpose(0, 1).reshape(length, -1)
    return attn.proj(out)


class EmbedTokens(nn.Module):
    """input_ids [batch, sequence] -> inputs_embeds [batch, sequence, hidden]."""

    def __init__(self, embed: nn.Embedding) -> None:
        super().__init__()
        self.embed = embed

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embed(input_ids)


class Decoder(nn.Module):
    """The text model and LM head with an explicit key/value cache.

    forward(inputs_embeds, attention_mask, position_ids, num_logits_to_keep, *past) ->
    (logits, *present); past and present alternate key, value per layer.
    """

    def __init__(self, language_model: nn.Module, lm_head: nn.Module) -> None:
        super().__init__()
        self.text = language_model
        self.lm_head = lm_head
        self.mrope_section = language_model.config.rope_scaling["mrope_section"]

    def forward(self, inputs_embeds, attention_mask, position_ids, num_logits_to_keep, *past):
        batch, length, _ = inputs_embeds.shape
        past_length = past[0].shape[2]
        cos, sin = self.text.rotary_emb(inputs_embeds, position_ids)

        mask = causal_mask(inputs_embeds, attention_mask, past_length)
        rotate = lambda query, key: apply_multimodal_rotary_pos_emb(query, key, cos, sin, self.mrope_section)  # noqa: E731

        hidden = inputs_embeds
        present = []
        for index, layer in enumerate(self.text.layers):
            hidden, key, value = decoder_layer(layer, hidden, (batch, length), rotate, mask, past[2 * index], past[2 * index + 1])
            present += [key, value]
        return (kept_logits(self.lm_head, self.text.norm(hidden), num_logits_to_keep), *present)


def decoder_layer(layer: nn.Module, hidden, batch_length: tuple, rotate, mask, past_key, past_value):
    """One decoder layer over the cache: Qwen2.5-VL's, Qwen3's (q/k norms before the rotary
    embedding) or Llama's. `rotate(query, key)` applies the family's rotary embedding;
    `batch_length` is read once from the decoder's input, so the trace reads no shape per layer.
    Returns the hidden state and the layer's new keys and values."""
    attn = layer.self_attn
    x = layer.input_layernorm(hidden)
    shape = (*batch_length, -1, attn.head_dim)
    norms = hasattr(attn, "q_norm")
    query = attn.q_proj(x).view(shape)
    query = (attn.q_norm(query) if norms else query).transpose(1, 2)
    key = attn.k_proj(x).view(shape)
    key = (attn.k_norm(key) if norms else key).transpose(1, 2)
    value = attn.v_proj(x).view(shape).transpose(1, 2)
    query, key = rotate(query, key)
    out, key, value = cached_attention(attn, query, key, value, past_key, past_value, mask)
    hidden = hidden + out
    return hidden + layer.mlp(layer.post_attention_layernorm(hidden)), key, value


def causal_mask(inputs_embeds: torch.Tensor, attention_mask: torch.Tensor, past_length) -> torch.Tensor:
    """Additive [batch, 1, sequence, past + sequence] mask: causal, and padding shut out."""
    length = inputs_embeds.shape[1]
    query_position = torch.arange(length, device=inputs_embeds.device) + past_length
    key_position = torch.arange(attention_mask.shape[1], device=inputs_embeds.device)
    allowed = (key_position[None, :] <= query_position[:, None])[None, None] & (attention_mask[:, None, None, :] == 1)
    return torch.where(allowed, 0.0, torch.finfo(inputs_embeds.dtype).min).to(inputs_embeds.dtype)


def cached_attention(attn: nn.Module, query, key, value, past_key, past_value, mask):
    """Attention over the cache and the new keys; returns the projected output and the new cache."""
    batch, _, length, _ = query.shape
    key = torch.cat([past_key, key], dim=2)
    value = torch.cat([past_value, value], dim=2)
    scores = torch.matmul(query, repeat_kv(key, attn.num_key_value_groups).transpose(2, 3)) * attn.scaling
    weights = torch.softmax(scores + mask, dim=-1, dtype=torch.float32).to(query.dtype)
    out = torch.matmul(weights, repeat_kv(value, attn.num_key_value_groups))
    return attn.o_proj(out.transpose(1, 2).reshape(batch, length, -1)), key, value


def kept_logits(lm_head: nn.Module, hidden: torch.Tensor, num_logits_to_keep: torch.Tensor) -> torch.Tensor:
    """Logits of the last `num_logits_to_keep` positions (0: every position)."""
    length = hidden.shape[1]
    first = torch.where(num_logits_to_keep > 0, length - num_logits_to_keep, torch.zeros_like(num_logits_to_keep))
    return lm_head(torch.index_select(hidden, 1, torch.arange(first, length, device=hidden.device)))
