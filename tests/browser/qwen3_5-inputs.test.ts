/**
 * Qwen3.5's prompt inputs against PyTorch `transformers` 5.24 (models/tiny/qwen3_5_reference.py,
 * which writes the fixture folder), compared as prompt-inputs-check.ts says: token ids, grid,
 * pixel values, mRoPE positions and the generation offset for an image prompt, a Stage-1 video
 * prompt (uneven frame times, each temporal patch after its time) and a text-only prompt.
 *
 * The decoder is not run: Qwen3.5's is the Hub's ONNX export (ONNX Runtime's LinearAttention and
 * CausalConvWithState), which this repository does not make.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '@huggingface/transformers';
import { promptInputs } from '../../src/models/qwen-vl/prompt-inputs';
import { videoInputFor } from '../../src/models/qwen-vl/transformers-vision';
import config from '../fixtures/tiny-qwen3_5/config.json';
import reference from '../fixtures/tiny-qwen3_5/reference.json';
import { PROMPTS, comparePromptInputs, fixtureFrames, loadProcessor, type InputsFixture } from './prompt-inputs-check';

const fixture: InputsFixture = {
  folder: 'tiny-qwen3_5',
  files: import.meta.glob<string>('../fixtures/tiny-qwen3_5/*.{png,f32}', { query: '?url', import: 'default', eager: true }),
  config,
  reference,
};

comparePromptInputs('Qwen3.5 prompt inputs against PyTorch transformers 5.24 (tiny processor)', fixture, {
  transformers: '5.24.0',
  // The worker's timed layout takes the frames' times; seconds per patch only scale Qwen2.5-VL.
  video: (frames) => ({ frames, secondsPerGrid: 1, frameTimes: reference.cases.video.frame_times }),
});

describe("Stage-1 frames sized from the source's size as the release sizes them (real processor)", () => {
  it("a 16:9 720p source: 224 x 416 frames (91 tokens) for Qwen3-VL's plan, 160 x 288 (45) for Qwen3.5's", async () => {
    const processor = await loadProcessor(fixture);
    const frames = await fixtureFrames(fixture);
    const video = { frames, secondsPerGrid: 1, frameTimes: reference.cases.video.frame_times, sourceSize: { width: 1280, height: 720 } };
    const gridFor = async (family: string) => {
      const inputs = (await promptInputs(processor, { ...PROMPTS.video, images: [], video }, { ...videoInputFor(config.model_type), family })) as Record<string, Tensor>;
      return (inputs.video_grid_thw!.tolist()[0] as bigint[]).map(Number);
    };
    // Grids count 16-px patches: three temporal patches of 14 x 26 (Qwen3-VL) or 10 x 18 (Qwen3.5).
    expect(await gridFor('qwen3_vl')).toEqual([3, 14, 26]);
    expect(await gridFor('qwen3_5')).toEqual([3, 10, 18]);
  });
});
