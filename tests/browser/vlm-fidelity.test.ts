/**
 * The exported tiny Qwen2.5-VL through the real VLM worker (transformers.js on ONNX Runtime WASM)
 * against PyTorch `transformers` on the same inputs. The reference values and pictures come from
 * models/tiny/make_tiny.py, which builds the model, exports it with models/export and runs the
 * reference. Checked for an image prompt, a video prompt (the Stage-1 path, with a fractional
 * seconds-per-patch that the reference truncates) and a text-only prompt:
 *
 * - processor outputs: token ids exactly; pixel values within 1e-6 (the same uint8 pixels through
 *   the same rescale and normalisation); the grid exactly;
 * - mRoPE position ids and the generation offset exactly;
 * - next-token logits (fp32) within the reference's stated tolerance, 1e-4 (the export itself
 *   agrees to about 1e-5; a wrong pixel or position moves them by 0.06 or more);
 * - greedy tokens for 12 steps exactly (fp32); for q4 the matching prefix is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VlmClient } from '../../src/models/engines/vlm-client';
import type { VlmInspection, VlmVideo } from '../../src/models/engines/vlm-engine';
import { TINY_TEST_VLM_ID, getModel, type ModelEntry } from '../../src/models/registry';
import reference from '../fixtures/tiny-vlm/reference.json';

const files = import.meta.glob('../fixtures/tiny-vlm/*.{png,f32}', { query: '?url', import: 'default', eager: true }) as Record<
  string,
  string
>;

interface ReferenceCase {
  text: string;
  input_ids: number[];
  position_ids: number[][];
  rope_delta: number;
  next_token_logits: number[];
  greedy_tokens: number[];
  grid_thw?: number[];
  pixel_values_shape?: number[];
  pixel_values_file?: string;
  fps?: number;
  second_per_grid_t?: number;
}

const cases = reference.cases as Record<'image' | 'video' | 'text', ReferenceCase>;
const STEPS = cases.text.greedy_tokens.length;
const PROMPTS = {
  image: { system: 'You describe pictures.', prompt: 'What is in the picture?' },
  video: { prompt: 'What happens in the video?' },
  text: { prompt: 'Say something about videos.' },
};

async function fixture(name: string): Promise<Blob> {
  const url = files[`../fixtures/tiny-vlm/${name}`];
  if (!url) throw new Error(`no fixture ${name}`);
  return (await fetch(url)).blob();
}

async function referencePixels(entry: ReferenceCase): Promise<Float32Array> {
  return new Float32Array(await (await fixture(entry.pixel_values_file!)).arrayBuffer());
}

async function requestFor(name: keyof typeof PROMPTS): Promise<{ prompt: string; system?: string; images?: Blob[]; video?: VlmVideo }> {
  if (name === 'image') return { ...PROMPTS.image, images: [await fixture('image.png')] };
  if (name === 'video') {
    const frames = await Promise.all(Array.from({ length: 6 }, (_, index) => fixture(`frame-${index}.png`)));
    // The reference passed fps; the processor turns it into seconds per two-frame patch.
    return { ...PROMPTS.video, video: { frames, secondsPerGrid: 2 / cases.video.fps! } };
  }
  return PROMPTS.text;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function withDtype(entry: ModelEntry, dtype: 'fp32' | 'q4'): ModelEntry {
  return { ...entry, devices: { wasm: { ...entry.devices.wasm!, dtype } } };
}

describe.each(['fp32', 'q4'] as const)('tiny Qwen2.5-VL export against PyTorch (%s, WASM)', (dtype) => {
  let client: VlmClient;
  const inspected = new Map<string, VlmInspection>();

  beforeAll(async () => {
    client = new VlmClient({ model: withDtype(getModel(TINY_TEST_VLM_ID), dtype), device: 'wasm' });
    const loaded = await client.load();
    expect(loaded).toMatchObject({ family: 'qwen2_5_vl', acceptsVideo: true });
    for (const name of ['image', 'video', 'text'] as const) inspected.set(name, await client.inspect(await requestFor(name), STEPS));
  });

  afterAll(async () => {
    await client?.dispose();
  });

  it.each(['image', 'video', 'text'] as const)('%s prompt: same token ids and mRoPE positions', (name) => {
    const ours = inspected.get(name)!;
    const expected = cases[name];
    expect(ours.inputIds).toEqual(expected.input_ids);
    expect(ours.positionIds).toEqual(expected.position_ids);
    expect(ours.ropeDelta).toBe(expected.rope_delta);
  });

  it.each(['image', 'video'] as const)('%s prompt: same pixel values and grid', async (name) => {
    const ours = inspected.get(name)!;
    const expected = cases[name];
    expect(ours.gridThw).toEqual(expected.grid_thw);
    expect(ours.pixelShape).toEqual(expected.pixel_values_shape);
    expect(maxDifference(ours.pixelValues!, await referencePixels(expected))).toBeLessThan(1e-6);
    const merge = 4;
    expect(ours.visualTokens).toBe(expected.grid_thw!.reduce((a, b) => a * b, 1) / merge);
  });

  if (dtype === 'fp32') {
    it.each(['image', 'video', 'text'] as const)('%s prompt: next-token logits and greedy tokens match', (name) => {
      const ours = inspected.get(name)!;
      const expected = cases[name];
      expect(maxDifference(ours.nextTokenLogits, expected.next_token_logits)).toBeLessThan(reference.logit_tolerance);
      expect(ours.greedyTokens).toEqual(expected.greedy_tokens);
    });
  } else {
    it('reports how many greedy tokens match PyTorch', () => {
      const figures = (['image', 'video', 'text'] as const).map((name) => {
        const ours = inspected.get(name)!.greedyTokens;
        const expected = cases[name].greedy_tokens;
        const prefix = ours.findIndex((token, index) => token !== expected[index]);
        return `${name} ${prefix === -1 ? ours.length : prefix}/${expected.length}`;
      });
      console.info(`q4 greedy agreement with PyTorch fp32 (WASM): ${figures.join(', ')}`);
      for (const name of ['image', 'video', 'text'] as const) expect(inspected.get(name)!.greedyTokens).toHaveLength(STEPS);
    });
  }
});
