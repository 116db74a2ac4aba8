import { describe, expect, it } from 'vitest';
import { ATTENTION_SCORES_BUDGET_BYTES, attentionHeads, prefillChunkTokens } from '../../../src/models/decoder/chunked-prefill';

describe('prefillChunkTokens', () => {
  it('keeps one layer of float32 scores within the budget at a Stage-1 length', () => {
    // Qwen3-VL-4B/8B (32 heads) and Qwen2.5-VL-3B (16 heads) over a 5,900-token Stage 1.
    expect(prefillChunkTokens(32, 5900)).toBe(355);
    expect(prefillChunkTokens(16, 5900)).toBe(710);
    for (const heads of [16, 28, 32]) {
      const chunk = prefillChunkTokens(heads, 5900);
      expect(heads * chunk * 5900 * 4).toBeLessThanOrEqual(ATTENTION_SCORES_BUDGET_BYTES);
      expect(heads * (chunk + 1) * 5900 * 4).toBeGreaterThan(ATTENTION_SCORES_BUDGET_BYTES);
    }
  });

  it('never goes below 64 tokens, and a short prompt fits in one run', () => {
    expect(prefillChunkTokens(64, 200_000)).toBe(64);
    expect(prefillChunkTokens(32, 300)).toBeGreaterThan(300);
  });

  it('refuses a shape it cannot size', () => {
    expect(() => prefillChunkTokens(Number.NaN, 100)).toThrow(/no chunk size/);
    expect(() => prefillChunkTokens(8, 0)).toThrow(/no chunk size/);
  });
});

describe('attentionHeads', () => {
  it("reads the text model's heads (Qwen3-VL) or the top level's (Qwen2.5-VL)", () => {
    expect(attentionHeads({ text_config: { num_attention_heads: 32 }, num_attention_heads: 16 })).toBe(32);
    expect(attentionHeads({ num_attention_heads: 16 })).toBe(16);
  });
});
