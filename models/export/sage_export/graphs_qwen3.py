"""Qwen3-VL's parts as traceable modules, with DeepStack carried across the boundary.

As for Qwen2.5-VL (graphs.py), the checkpoint's own modules run, and only what cannot be traced
is rewritten with tensor arithmetic on `image_grid_thw` (one grid row per call):

- the vision tower's learned position table, bilinearly sampled per patch (the reference builds
  index lists in Python), its rotary positions, and attention within each frame;
- DeepStack: the vision encoder also returns `deepstack_features` [layers, tokens, hidden] (the
  features of the blocks in `deepstack_visual_indexes`, each through its own merger), and the
  decoder takes `deepstack_visual_embeds` [layers, batch, sequence, hidden], added to the hidden
  states after decoder layers 0..layers-1. The caller scatters the features to the visual token
  positions and leaves zeros elsewhere (and at decode steps), which equals the reference's masked
  add exactly;
- the interleaved mRoPE frequencies, selected per slot with constant masks instead of the
  reference's in-place strided assignment.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers.models.qwen3_vl.modeling_qwen3_vl import apply_rotary_pos_emb

from .graphs import causal_mask, decoder_layer, kept_logits, vision_attention


class VisionEncoderQwen3(nn.Module):
    """pixel_values [patches, C*T*P*P], image_grid_thw [1, 3] -> image_features, deepstack_features."""

    def __init__(self, visual: nn.Module) -> None:
        super().__init__()
        self.visual = visual
        self.merge = visual.config.spatial_merge_size
        self.side = visual.num_grid_per_side

    def forward(self, pixel_values: torch.Tensor, image_grid_thw: torch.Tensor):
        visual, merge, side = self.visual, self.merge, self.side
        hidden = visual.patch_embed(pixel_values)
        height, width = image_grid_thw[0, 1], image_grid_thw[0, 2]
        patch = torch.arange(hidden.shape[0], device=hidden.device)
        frame = patch // (height * width)
        in_frame = patch % (height * width)
        unit, in_unit = in_frame // (merge * merge), in_frame % (merge * merge)
        row = (unit // (width // merge)) * merge + in_unit // merge
        col = (unit % (width // merge)) * merge + in_unit % merge

        hidden = hidden + self._position_embedding(row, col, height, width, side)

        inv_freq = visual.rotary_pos_emb.inv_freq
        angles = torch.cat([row[:, None].float() * inv_freq[None, :], col[:, None].float() * inv_freq[None, :]], dim=-1)
        angles = torch.cat([angles, angles], dim=-1)
        cos, sin = angles.cos(), angles.sin()
        mask = torch.where(frame[:, None] == frame[None, :], 0.0, torch.finfo(hidden.dtype).min).to(hidden.dtype)

        deepstack = []
        for index, block in enumerate(visual.blocks):
            hidden = hidden + vision_attention(block.attn, block.norm1(hidden), cos, sin, mask)
            hidden = hidden + block.mlp(block.norm2(hidden))
            if index in visual.deepstack_visual_indexes:
                deepstack.append(visual.deepstack_merger_list[visual.deepstack_visual_indexes.index(index)](hidden))
        return visual.merger(hidden), torch.stack(deepstack, dim=0)

    def _position_embedding(self, row, col, height, width, side: int) -> torch.Tensor:
        table = self.visual.pos_embed.weight
        row_at, col_at = _linspace_at(row, height, side - 1), _linspace_at(col, width, side - 1)
        row_low, col_low = row_at.long(), col_at.long()
        row_high, col_high = (row_low + 1).clamp(max=side - 1), (col_low + 1).clamp(max=side - 1)
        d_row, d_col = (row_at - row_low)[:, None], (col_at - col_low)[:, None]
        corner = lambda r, c: table[r * side + c]  # noqa: E731
        # The reference sums the four weighted corners in this order.
        return (
            corner(row_low, col_low) * ((1 - d_row) * (1 - d_col))
            + corner(row_low, col_high) * ((1 - d_row) * d_col)
            + corner(row_high, col_low) * (d_row * (1 - d_col))
            + corner(row_high, col_high) * (d_row * d_col)
        )


def _linspace_at(index: torch.Tensor, steps: torch.Tensor, end: int) -> torch.Tensor:
    """torch.linspace(0, end, steps)[index], computed as torch computes it (from both ends)."""
    index = index.float()
    steps_f = steps.float()
    step = torch.where(steps_f > 1, end / (steps_f - 1).clamp(min=1), torch.zeros_like(steps_f))
    from_start = index * step
    from_end = end - (steps_f - 1 - index) * step
    return torch.where(index < torch.div(steps, 2, rounding_mode="floor").float(), from_start, from_end)


class DecoderQwen3(nn.Module):
    """forward(inputs_embeds, attention_mask, position_ids, num_logits_to_keep, deepstack_visual_embeds, *past)."""

    def __init__(self, language_model: nn.Module, lm_head: nn.Module, deepstack_layers: int) -> None:
        super().__init__()
        self.text = language_model
        self.lm_head = lm_head
        self.deepstack_layers = deepstack_layers
        rotary = language_model.rotary_emb
        half = rotary.inv_freq.shape[0]
        # Slot j of the interleaved layout reads time, height or width (T H W T H W ... then T).
        axis = torch.zeros(half, dtype=torch.long)
        for dim, offset in ((1, 1), (2, 2)):
            axis[offset : rotary.mrope_section[dim] * 3 : 3] = dim
        self.register_buffer("axis_masks", torch.stack([(axis == d).float() for d in range(3)]), persistent=False)

    def forward(self, inputs_embeds, attention_mask, position_ids, num_logits_to_keep, deepstack_visual_embeds, *past):
        batch, length, _ = inputs_embeds.shape
        past_length = past[0].shape[2]
        rotary = self.text.rotary_emb
        freqs = position_ids[..., None].float() * rotary.inv_freq.float()  # [3, batch, length, half]
        freqs = (freqs * self.axis_masks[:, None, None, :]).sum(dim=0)
        emb = torch.cat([freqs, freqs], dim=-1)
        cos = (emb.cos() * rotary.attention_scaling).to(inputs_embeds.dtype)
        sin = (emb.sin() * rotary.attention_scaling).to(inputs_embeds.dtype)

        mask = causal_mask(inputs_embeds, attention_mask, past_length)
        rotate = lambda query, key: apply_rotary_pos_emb(query, key, cos, sin)  # noqa: E731

        hidden = inputs_embeds
        present = []
        for index, layer in enumerate(self.text.layers):
            hidden, key, value = decoder_layer(layer, hidden, (batch, length), rotate, mask, past[2 * index], past[2 * index + 1])
            present += [key, value]
            if index < self.deepstack_layers:
                hidden = hidden + deepstack_visual_embeds[index]
        return (kept_logits(self.lm_head, self.text.norm(hidden), num_logits_to_keep), *present)

