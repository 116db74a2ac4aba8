/**
 * SmolVLM's architecture (Idefics3) through the real VLM worker (transformers.js on ONNX Runtime
 * WASM) against PyTorch `transformers` 4.57.1 on the same inputs: the tiny random Idefics3 of
 * models/tiny/make_tiny_idefics3.py (its graphs agree with PyTorch to about 1e-5 in ONNX Runtime
 * on CPU, which the maker checks), for an image prompt with a system prompt (an 80 x 112 picture,
 * split into 2 x 2 tiles of 64 px and a global view) and a text-only prompt:
 *
 * - the image split (five tiles, each a [3, 64, 64] plane) and the token ids exactly, so the chat
 *   template, the system prompt and each tile's placeholders are as the reference lays them out;
 * - the tiles' pixel values within 1e-6 (the worker resizes as Pillow does: transformers.js' own
 *   Idefics3 processor is off by up to 0.98 here, src/models/idefics3/image-inputs.ts);
 * - next-token logits within 1e-4, and greedy tokens for 12 steps exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VlmClient } from '../../src/models/engines/vlm-client';
import type { VlmInspection } from '../../src/models/engines/vlm-engine';
import { TINY_TEST_VLM_ID, getModel, type ModelEntry } from '../../src/models/registry';
import reference from '../fixtures/tiny-idefics3/reference.json';
import { fixtureFile, maxDifference } from './reference-fixtures';

const files = import.meta.glob<string>('../fixtures/tiny-idefics3/*.{png,f32}', { query: '?url', import: 'default', eager: true });

const fixture = (name: string) => fixtureFile(files, 'tiny-idefics3', name);

const tiny = getModel(TINY_TEST_VLM_ID);
const entry: ModelEntry = {
  ...tiny,
  id: 'tiny-random-idefics3',
  label: 'Tiny random Idefics3 (tests only)',
  family: 'idefics3',
  source: { kind: 'local', path: 'models/tiny/tiny-random-idefics3' },
  devices: { wasm: { ...tiny.devices.wasm!, dtype: 'fp32' } },
};
const PROMPTS = {
  image: { system: 'You describe pictures.', prompt: 'What is in the picture?' },
  text: { prompt: 'Say something about videos.' },
};
type CaseName = keyof typeof reference.cases;
const names = Object.keys(reference.cases) as CaseName[];

describe('tiny Idefics3 (SmolVLM) through the VLM worker against PyTorch (WASM, fp32)', () => {
  let client: VlmClient;
  const inspected = new Map<CaseName, VlmInspection>();
  const steps = reference.cases.text.greedy_tokens.length;

  beforeAll(async () => {
    client = new VlmClient({ model: entry, device: 'wasm' });
    expect(await client.load()).toMatchObject({ family: 'idefics3', acceptsVideo: false });
    inspected.set('image', await client.inspect({ ...PROMPTS.image, images: [await fixture('image.png')] }, steps));
    inspected.set('text', await client.inspect(PROMPTS.text, steps));
  });

  afterAll(async () => {
    await client?.dispose();
  });

  it.each(names)('%s prompt: same token ids (template, system prompt, tile placeholders)', (name) => {
    expect(inspected.get(name)!.inputIds).toEqual(reference.cases[name].input_ids);
  });

  it('image prompt: the same tiles, pixel values within 1e-6', async () => {
    expect(inspected.get('image')!.pixelShape).toEqual(reference.cases.image.pixel_values_shape);
    const pixels = new Float32Array(await (await fixture(reference.cases.image.pixel_values_file)).arrayBuffer());
    expect(maxDifference(inspected.get('image')!.pixelValues!, pixels)).toBeLessThan(1e-6);
  });

  it.each(names)('%s prompt: next-token logits and greedy tokens match', (name) => {
    const ours = inspected.get(name)!;
    expect(maxDifference(ours.nextTokenLogits, reference.cases[name].next_token_logits)).toBeLessThan(reference.logit_tolerance);
    expect(ours.greedyTokens).toEqual(reference.cases[name].greedy_tokens);
  });
});
