/**
 * The exported tiny Qwen2.5-VL and Qwen3-VL through the real VLM worker (transformers.js on ONNX
 * Runtime WASM) against PyTorch `transformers` on the same inputs. The reference values and
 * pictures come from models/tiny/make_tiny.py, which builds the models, exports them with
 * models/export and runs the reference. Checked for an image prompt, a video prompt (the Stage-1
 * path: for Qwen2.5-VL with a fractional seconds-per-patch that the reference truncates, for
 * Qwen3-VL with each patch's time in the text) and a text-only prompt; for Qwen3-VL the visual
 * prompts also prove DeepStack reaches the decoder:
 *
 * - processor outputs: token ids exactly; pixel values within 1e-6 (the same uint8 pixels through
 *   the same rescale and normalisation); the grid exactly;
 * - mRoPE position ids and the generation offset exactly;
 * - next-token logits (fp32) within the reference's stated tolerance, 1e-4 (the export itself
 *   agrees to about 1e-5; a wrong pixel or position moves them by 0.06 or more);
 * - greedy tokens for 12 steps exactly (fp32); for q4 and q4f16 (4-bit weights and token
 *   embedding: MatMulNBits and GatherBlockQuantized, which ONNX Runtime Web's CPU build runs) the
 *   matching prefix is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VlmClient } from '../../src/models/engines/vlm-client';
import type { VlmInspection } from '../../src/models/engines/vlm-engine';
import { maxDifference } from './reference-fixtures';
import { TINY_FAMILIES, tinyFixture, tinyRequest, withWasmDtype, type CaseName, type ReferenceCase, type TinyFamily } from './tiny-vlm-cases';

async function referencePixels(family: TinyFamily, entry: ReferenceCase): Promise<Float32Array> {
  return new Float32Array(await (await tinyFixture(family, entry.pixel_values_file!)).arrayBuffer());
}

const RUNS = TINY_FAMILIES.flatMap((family) => (['fp32', 'q4', 'q4f16'] as const).map((dtype) => ({ family, dtype, label: `${family.name} ${dtype}` })));

describe.each(RUNS)('tiny $label export against PyTorch (WASM)', ({ family, dtype }) => {
  let client: VlmClient;
  const inspected = new Map<CaseName, VlmInspection>();
  const names = Object.keys(family.cases) as CaseName[];
  const visual = names.filter((name) => name !== 'text');
  const steps = family.cases.text!.greedy_tokens.length;

  beforeAll(async () => {
    client = new VlmClient({ model: withWasmDtype(family.entry, dtype), device: 'wasm' });
    const loaded = await client.load();
    expect(loaded).toMatchObject({ family: family.entry.family, acceptsVideo: true });
    // Text first: a fresh model's first prompt may have no pictures (DeepStack then feeds zeros).
    for (const name of [...names].reverse()) inspected.set(name, await client.inspect(await tinyRequest(family, name), steps));
  });

  afterAll(async () => {
    await client?.dispose();
  });

  it.each(names)('%s prompt: same token ids and mRoPE positions', (name) => {
    const ours = inspected.get(name)!;
    const expected = family.cases[name]!;
    expect(ours.inputIds).toEqual(expected.input_ids);
    expect(ours.positionIds).toEqual(expected.position_ids);
    expect(ours.ropeDelta).toBe(expected.rope_delta);
  });

  it.each(visual)('%s prompt: same pixel values and grid', async (name) => {
    const ours = inspected.get(name)!;
    const expected = family.cases[name]!;
    expect(ours.gridThw).toEqual(expected.grid_thw);
    expect(ours.pixelShape).toEqual(expected.pixel_values_shape);
    expect(maxDifference(ours.pixelValues!, await referencePixels(family, expected))).toBeLessThan(1e-6);
    const merge = 4;
    expect(ours.visualTokens).toBe(expected.grid_thw!.reduce((a, b) => a * b, 1) / merge);
    // models/export marks its graphs as keeping frames apart: the whole video goes in one call.
    expect(ours.visionCalls).toBe(1);
  });

  if (dtype === 'fp32') {
    it.each(names)('%s prompt: next-token logits and greedy tokens match', (name) => {
      const ours = inspected.get(name)!;
      const expected = family.cases[name]!;
      expect(maxDifference(ours.nextTokenLogits, expected.next_token_logits)).toBeLessThan(family.tolerance);
      expect(ours.greedyTokens).toEqual(expected.greedy_tokens);
    });
  } else {
    it('reports how many greedy tokens match PyTorch', () => {
      const figures = names.map((name) => {
        const ours = inspected.get(name)!.greedyTokens;
        const expected = family.cases[name]!.greedy_tokens;
        const prefix = ours.findIndex((token, index) => token !== expected[index]);
        return `${name} ${prefix === -1 ? ours.length : prefix}/${expected.length}`;
      });
      console.info(`${family.name} ${dtype} greedy agreement with PyTorch fp32 (WASM): ${figures.join(', ')}`);
      for (const name of names) expect(inspected.get(name)!.greedyTokens).toHaveLength(steps);
    });
  }
});
