/**
 * Qwen2-VL's prompt inputs against PyTorch `transformers` 4.57.1 (models/tiny/qwen2_vl_reference.py,
 * which writes the fixture folder), compared as prompt-inputs-check.ts says, with the rope config
 * read as the worker does for every family in QWEN_VISION_FAMILIES: token ids, grid, pixel values,
 * mRoPE positions and the generation offset for an image prompt, a video prompt (three temporal
 * patches, whose time axis advances by one each, whatever the seconds per patch) and a text-only
 * prompt (generation offset max + 1 - length, where transformers.js' own adds the length).
 *
 * The decoder is not run: the app's Qwen2-VL is the Hub's ONNX export, which this repository does
 * not make (its vision calls are laid out as for any graph not marked by models/export:
 * tests/browser/vlm-hub-layout.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { QWEN_VISION_FAMILIES } from '../../src/models/qwen-vl/transformers-vision';
import config from '../fixtures/tiny-qwen2_vl/config.json';
import reference from '../fixtures/tiny-qwen2_vl/reference.json';
import { comparePromptInputs } from './prompt-inputs-check';

/** What the app passes for a 1 fps skim; Qwen2-VL's positions must not depend on it. */
const SECONDS_PER_GRID = 2;

comparePromptInputs(
  'Qwen2-VL prompt inputs against PyTorch transformers 4.57.1 (tiny processor)',
  {
    folder: 'tiny-qwen2_vl',
    files: import.meta.glob<string>('../fixtures/tiny-qwen2_vl/*.{png,f32}', { query: '?url', import: 'default', eager: true }),
    config,
    reference,
  },
  { transformers: '4.57.1', video: (frames) => ({ frames, secondsPerGrid: SECONDS_PER_GRID }) },
);

describe('Qwen2-VL in the worker', () => {
  it('the worker gives Qwen2-VL its own input path (video, positions, vision calls)', () => {
    expect(QWEN_VISION_FAMILIES.has(config.model_type)).toBe(true);
  });
});
