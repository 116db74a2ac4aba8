/**
 * The comparison the Qwen-family prompt-input tests share: a tiny processor folder written by a
 * PyTorch reference script (models/tiny/*_reference.py), loaded by transformers.js from this site
 * as the VLM worker loads a local model; the prompts built by the worker's promptInputs and
 * positioned by its promptPositions with the rope config read from the folder's config.json by
 * ropeConfigFrom; checked against the reference for an image, a video and a text-only prompt:
 *
 * - token ids and the grid exactly; pixel values within 1e-6 (the same uint8 pixels through the
 *   same rescale and normalisation);
 * - mRoPE position ids and the generation offset exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoProcessor, Tensor, env, type Processor } from '@huggingface/transformers';
import { promptInputs, type PromptRequest } from '../../src/models/qwen-vl/prompt-inputs';
import { promptPositions, ropeConfigFrom, videoInputFor } from '../../src/models/qwen-vl/transformers-vision';
import type { VlmVideo } from '../../src/core/contracts';
import { fixtureFile, maxDifference } from './reference-fixtures';

type CaseName = 'image' | 'video' | 'text';

interface ReferenceCase {
  input_ids: number[];
  position_ids: number[][];
  rope_delta: number;
}

interface VisualCase extends ReferenceCase {
  grid_thw: number[];
  pixel_values_shape: number[];
  pixel_values_file: string;
}

/** A reference script's fixture folder: its config.json, reference.json and files (URLs by glob path). */
export interface InputsFixture {
  folder: string;
  files: Record<string, string>;
  config: Parameters<typeof ropeConfigFrom>[0] & { model_type: string };
  reference: { transformers: string; cases: { image: VisualCase; video: VisualCase; text: ReferenceCase } };
}

export const PROMPTS: Record<CaseName, Omit<PromptRequest, 'images'>> = {
  image: { system: 'You describe pictures.', prompt: 'What is in the picture?' },
  video: { prompt: 'What happens in the video?' },
  text: { prompt: 'Say something about videos.' },
};

function fixtureBlob(fixture: InputsFixture, name: string): Promise<Blob> {
  return fixtureFile(fixture.files, fixture.folder, name);
}

/** The six video frames the reference scripts write (frame-0.png ... frame-5.png). */
export function fixtureFrames(fixture: InputsFixture): Promise<Blob[]> {
  return Promise.all(Array.from({ length: 6 }, (_, index) => fixtureBlob(fixture, `frame-${index}.png`)));
}

/** The worker's local source: this site's folder, remote loading off (configureSource). */
export async function loadProcessor(fixture: InputsFixture): Promise<Processor> {
  const image = fixture.files[`../fixtures/${fixture.folder}/image.png`];
  if (!image) throw new Error(`no fixture ${fixture.folder}/image.png`);
  const folder = new URL('.', new URL(image, location.href)).pathname;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.localModelPath = new URL('..', new URL(folder, location.href)).pathname;
  return AutoProcessor.from_pretrained(fixture.folder);
}

interface Built {
  inputIds: number[];
  positionIds: number[][];
  ropeDelta: number;
  gridThw?: number[];
  pixelShape?: number[];
  pixelValues?: Float32Array;
}

/**
 * Registers the tests: `title` names the describe block, `transformers` is the version the
 * reference must come from, `video(frames)` the video the app sends for the reference's video prompt.
 */
export function comparePromptInputs(
  title: string,
  fixture: InputsFixture,
  options: { transformers: string; video: (frames: Blob[]) => VlmVideo },
): void {
  const { config, reference } = fixture;
  const cases = reference.cases;

  async function requestFor(name: CaseName): Promise<PromptRequest> {
    if (name === 'image') return { ...PROMPTS.image, images: [await fixtureBlob(fixture, 'image.png')] };
    if (name === 'video') return { ...PROMPTS.video, images: [], video: options.video(await fixtureFrames(fixture)) };
    return { ...PROMPTS.text, images: [] };
  }

  describe(title, () => {
    const built = new Map<CaseName, Built>();
    const names = Object.keys(cases) as CaseName[];

    beforeAll(async () => {
      expect(reference.transformers).toBe(options.transformers);
      const processor = await loadProcessor(fixture);
      const videoInput = videoInputFor(config.model_type);
      const ropeConfig = ropeConfigFrom(config);
      for (const name of names) {
        const request = await requestFor(name);
        const inputs = (await promptInputs(processor, request, videoInput)) as Record<string, Tensor | undefined>;
        const [positions, deltas] = promptPositions(
          {
            inputIds: inputs.input_ids!,
            imageGrid: inputs.image_grid_thw,
            videoGrid: inputs.video_grid_thw,
            attentionMask: inputs.attention_mask,
            secondsPerGrid: request.video ? [request.video.secondsPerGrid] : [],
          },
          ropeConfig,
          videoInput,
        );
        const grid = inputs.image_grid_thw ?? inputs.video_grid_thw;
        const pixels = inputs.pixel_values;
        built.set(name, {
          inputIds: ((inputs.input_ids!.tolist() as bigint[][])[0] ?? []).map(Number),
          positionIds: (positions.tolist() as bigint[][][]).map((axis) => axis[0]!.map(Number)),
          ropeDelta: Number((deltas.tolist() as bigint[][])[0]![0]),
          ...(grid ? { gridThw: (grid.tolist()[0] as bigint[]).map(Number) } : {}),
          ...(pixels ? { pixelShape: [...pixels.dims], pixelValues: pixels.data as Float32Array } : {}),
        });
      }
    });

    it.each(names)('%s prompt: same token ids', (name) => {
      expect(built.get(name)!.inputIds).toEqual(cases[name].input_ids);
    });

    it.each(names)('%s prompt: same mRoPE positions and generation offset', (name) => {
      const ours = built.get(name)!;
      expect(ours.positionIds).toEqual(cases[name].position_ids);
      expect(ours.ropeDelta).toBe(cases[name].rope_delta);
    });

    it.each(['image', 'video'] as const)('%s prompt: same grid and pixel values', async (name) => {
      const ours = built.get(name)!;
      const expected = cases[name];
      expect(ours.gridThw).toEqual(expected.grid_thw);
      expect(ours.pixelShape).toEqual(expected.pixel_values_shape);
      const pixels = new Float32Array(await (await fixtureBlob(fixture, expected.pixel_values_file)).arrayBuffer());
      expect(maxDifference(ours.pixelValues!, pixels)).toBeLessThan(1e-6);
    });
  });
}
