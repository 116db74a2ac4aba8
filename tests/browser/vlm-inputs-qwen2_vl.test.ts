/**
 * Qwen2-VL's prompt inputs against PyTorch `transformers` 4.57.1 (models/tiny/qwen2_vl_reference.py,
 * which writes the fixture folder): the folder's processor loaded by transformers.js from this
 * site as the VLM worker loads a local model, the prompts built by the worker's promptInputs and
 * positioned by its promptPositions with the rope config read from the folder's config.json by
 * ropeConfigFrom, as the worker does for every family in QWEN_VISION_FAMILIES. Checked for an
 * image prompt, a video prompt (three temporal patches, whose time axis advances by one each,
 * whatever the seconds per patch) and a text-only prompt (generation offset max + 1 - length,
 * where transformers.js' own adds the length):
 *
 * - token ids and the grid exactly; pixel values within 1e-6;
 * - mRoPE position ids and the generation offset exactly.
 *
 * The decoder is not run: the app's Qwen2-VL is the Hub's ONNX export, which this repository does
 * not make (its vision calls are laid out as for any graph not marked by models/export:
 * tests/browser/vlm-hub-layout.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoProcessor, Tensor, env, type Processor } from '@huggingface/transformers';
import { promptInputs, type PromptRequest } from '../../src/models/qwen-vl/prompt-inputs';
import { QWEN_VISION_FAMILIES, promptPositions, ropeConfigFrom, videoInputFor } from '../../src/models/qwen-vl/transformers-vision';
import config from '../fixtures/tiny-qwen2_vl/config.json';
import reference from '../fixtures/tiny-qwen2_vl/reference.json';

const FOLDER = 'tiny-qwen2_vl';
const files = import.meta.glob<string>('../fixtures/tiny-qwen2_vl/*.{png,f32}', { query: '?url', import: 'default', eager: true });
/** What the app passes for a 1 fps skim; Qwen2-VL's positions must not depend on it. */
const SECONDS_PER_GRID = 2;

type CaseName = keyof typeof reference.cases;
const PROMPTS: Record<CaseName, Omit<PromptRequest, 'images'>> = {
  image: { system: 'You describe pictures.', prompt: 'What is in the picture?' },
  video: { prompt: 'What happens in the video?' },
  text: { prompt: 'Say something about videos.' },
};

function fixtureUrl(name: string): string {
  const url = files[`../fixtures/${FOLDER}/${name}`];
  if (!url) throw new Error(`no fixture ${FOLDER}/${name}`);
  return url;
}

async function fixture(name: string): Promise<Blob> {
  return (await fetch(fixtureUrl(name))).blob();
}

async function requestFor(name: CaseName): Promise<PromptRequest> {
  if (name === 'image') return { ...PROMPTS.image, images: [await fixture('image.png')] };
  if (name === 'video') {
    const frames = await Promise.all(Array.from({ length: 6 }, (_, index) => fixture(`frame-${index}.png`)));
    return { ...PROMPTS.video, images: [], video: { frames, secondsPerGrid: SECONDS_PER_GRID } };
  }
  return { ...PROMPTS.text, images: [] };
}

/** The worker's local source: this site's folder, remote loading off (configureSource). */
async function loadProcessor(): Promise<Processor> {
  const folder = new URL('.', new URL(fixtureUrl('image.png'), location.href)).pathname;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.localModelPath = new URL('..', new URL(folder, location.href)).pathname;
  return AutoProcessor.from_pretrained(FOLDER);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

interface Built {
  inputIds: number[];
  positionIds: number[][];
  ropeDelta: number;
  gridThw?: number[];
  pixelShape?: number[];
  pixelValues?: Float32Array;
}

describe('Qwen2-VL prompt inputs against PyTorch transformers 4.57.1 (tiny processor)', () => {
  const built = new Map<CaseName, Built>();
  const names = Object.keys(reference.cases) as CaseName[];

  beforeAll(async () => {
    expect(reference.transformers).toBe('4.57.1');
    const processor = await loadProcessor();
    const video = videoInputFor(config.model_type);
    const ropeConfig = ropeConfigFrom(config);
    for (const name of names) {
      const request = await requestFor(name);
      const inputs = (await promptInputs(processor, request, video)) as Record<string, Tensor | undefined>;
      const [positions, deltas] = promptPositions(
        {
          inputIds: inputs.input_ids!,
          imageGrid: inputs.image_grid_thw,
          videoGrid: inputs.video_grid_thw,
          attentionMask: inputs.attention_mask,
          secondsPerGrid: request.video ? [request.video.secondsPerGrid] : [],
        },
        ropeConfig,
        video,
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

  it('the worker gives Qwen2-VL its own input path (video, positions, vision calls)', () => {
    expect(QWEN_VISION_FAMILIES.has(config.model_type)).toBe(true);
  });

  it.each(names)('%s prompt: same token ids', (name) => {
    expect(built.get(name)!.inputIds).toEqual(reference.cases[name].input_ids);
  });

  it.each(names)('%s prompt: same mRoPE positions and generation offset', (name) => {
    const ours = built.get(name)!;
    expect(ours.positionIds).toEqual(reference.cases[name].position_ids);
    expect(ours.ropeDelta).toBe(reference.cases[name].rope_delta);
  });

  it.each(['image', 'video'] as const)('%s prompt: same grid and pixel values', async (name) => {
    const ours = built.get(name)!;
    const expected = reference.cases[name];
    expect(ours.gridThw).toEqual(expected.grid_thw);
    expect(ours.pixelShape).toEqual(expected.pixel_values_shape);
    const pixels = new Float32Array(await (await fixture(expected.pixel_values_file)).arrayBuffer());
    expect(maxDifference(ours.pixelValues!, pixels)).toBeLessThan(1e-6);
  });
});
