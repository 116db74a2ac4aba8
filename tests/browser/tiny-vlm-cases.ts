/**
 * The tiny Qwen2.5-VL and Qwen3-VL exports and their PyTorch reference cases (models/tiny/make_tiny.py):
 * the registry entry of each, and the worker request of each case with its fixture pictures.
 */
import type { VlmVideo } from '../../src/core/contracts';
import { TINY_TEST_VLM_ID, getModel, type ModelEntry } from '../../src/models/registry';
import qwen25Reference from '../fixtures/tiny-vlm/reference.json';
import qwen3Reference from '../fixtures/tiny-vlm-qwen3/reference.json';
import { fixtureFile } from './reference-fixtures';

const files = import.meta.glob<string>('../fixtures/tiny-vlm*/*.{png,f32}', { query: '?url', import: 'default', eager: true });

export interface ReferenceCase {
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
  frame_times?: number[];
}

export type CaseName = 'image' | 'video' | 'text';
export interface TinyFamily {
  name: string;
  fixtures: string;
  entry: ModelEntry;
  cases: Partial<Record<CaseName, ReferenceCase>>;
  tolerance: number;
}

const tiny = getModel(TINY_TEST_VLM_ID);
export const TINY_FAMILIES: TinyFamily[] = [
  { name: 'Qwen2.5-VL', fixtures: 'tiny-vlm', entry: tiny, cases: qwen25Reference.cases, tolerance: qwen25Reference.logit_tolerance },
  {
    name: 'Qwen3-VL',
    fixtures: 'tiny-vlm-qwen3',
    entry: { ...tiny, id: 'tiny-random-qwen3-vl', family: 'qwen3_vl', source: { kind: 'local', path: 'models/tiny/tiny-random-qwen3_vl' } },
    cases: qwen3Reference.cases,
    tolerance: qwen3Reference.logit_tolerance,
  },
];

const PROMPTS = {
  image: { system: 'You describe pictures.', prompt: 'What is in the picture?' },
  video: { prompt: 'What happens in the video?' },
  text: { prompt: 'Say something about videos.' },
};

export function tinyFixture(family: TinyFamily, name: string): Promise<Blob> {
  return fixtureFile(files, family.fixtures, name);
}

/** The worker request the reference case `name` was made from. */
export async function tinyRequest(family: TinyFamily, name: CaseName): Promise<{ prompt: string; system?: string; images?: Blob[]; video?: VlmVideo }> {
  if (name === 'image') return { ...PROMPTS.image, images: [await tinyFixture(family, 'image.png')] };
  if (name === 'video') {
    const frames = await Promise.all(Array.from({ length: 6 }, (_, index) => tinyFixture(family, `frame-${index}.png`)));
    // Qwen2.5-VL: the reference passed fps, which the processor turns into seconds per two-frame
    // patch. Qwen3-VL: the frames' times, which go into the text.
    const { fps, frame_times: frameTimes } = family.cases.video!;
    return { ...PROMPTS.video, video: { frames, secondsPerGrid: fps ? 2 / fps : 1, ...(frameTimes ? { frameTimes } : {}) } };
  }
  return PROMPTS.text;
}

export function withWasmDtype(entry: ModelEntry, dtype: 'fp32' | 'q4' | 'q4f16'): ModelEntry {
  return { ...entry, devices: { wasm: { ...entry.devices.wasm!, dtype } } };
}
