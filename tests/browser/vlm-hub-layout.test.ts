/**
 * How a video reaches a vision encoder not made by models/export. The Hub's ONNX exports are not
 * known to keep frames apart (PyTorch attends within each temporal patch); a graph that attends
 * across its whole call mixes frames when it gets several temporal patches at once. The tiny
 * Hub-style graph of models/tiny/make_hub_style.py does exactly that, with the tiny Qwen2.5-VL's
 * weights, and the reference is PyTorch's vision tower on the tiny model's video (three temporal
 * patches):
 *
 * - ONNX Runtime (WASM) on that graph: all three temporal patches in one call differ from PyTorch
 *   (by about 0.7), one per call match it;
 * - the real VLM worker on the Hub-style model (no models/export mark in config.json) sends one
 *   temporal patch per call, and its next-token logits and greedy tokens match PyTorch's for the
 *   video prompt; on models/export's tiny model (marked) it sends them in one call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/webgpu';
import { configureOnnxWasm } from '../../src/models/engines/onnx-wasm';
import { VlmClient } from '../../src/models/engines/vlm-client';
import type { VlmInspection } from '../../src/models/engines/vlm-engine';
import { TINY_TEST_VLM_ID, getModel, type ModelEntry } from '../../src/models/registry';
import hubStyle from '../fixtures/tiny-vlm-hub-style/reference.json';
import tinyReference from '../fixtures/tiny-vlm/reference.json';
import { fixtureFile, maxDifference } from './reference-fixtures';

const files = import.meta.glob<string>('../fixtures/tiny-vlm/*.{png,f32}', { query: '?url', import: 'default', eager: true });
const HUB_STYLE_PATH = 'models/tiny/tiny-hub-style-qwen2_5_vl';

const fixture = (name: string) => fixtureFile(files, 'tiny-vlm', name);

const video = tinyReference.cases.video;

describe('a Hub-style vision graph (attention across the whole call) against PyTorch', () => {
  let session: ort.InferenceSession;
  let pixels: Float32Array;
  const [frames, height, width] = hubStyle.grid_thw as [number, number, number];

  beforeAll(async () => {
    configureOnnxWasm(ort.env.wasm, 1);
    const graph = new Uint8Array(await (await fetch(`/${HUB_STYLE_PATH}/onnx/vision_encoder.onnx`)).arrayBuffer());
    session = await ort.InferenceSession.create(graph, { executionProviders: ['wasm'] });
    pixels = new Float32Array(await (await fixture(video.pixel_values_file)).arrayBuffer());
  });

  afterAll(async () => {
    await session?.release();
  });

  async function features(perCall: number): Promise<Float32Array> {
    const rowsPerFrame = height * width;
    const patchWidth = pixels.length / (frames * rowsPerFrame);
    const out: number[] = [];
    for (let first = 0; first < frames; first += perCall) {
      const count = Math.min(perCall, frames - first);
      const rows = pixels.subarray(first * rowsPerFrame * patchWidth, (first + count) * rowsPerFrame * patchWidth);
      const result = await session.run({
        pixel_values: new ort.Tensor('float32', rows, [count * rowsPerFrame, patchWidth]),
        image_grid_thw: new ort.Tensor('int64', BigInt64Array.from([count, height, width].map(BigInt)), [1, 3]),
      });
      out.push(...(result.image_features!.data as Float32Array));
    }
    return Float32Array.from(out);
  }

  it('differs from PyTorch when a call takes every temporal patch', async () => {
    expect(maxDifference(await features(frames), hubStyle.features)).toBeGreaterThan(0.1);
  });

  it('matches PyTorch with one temporal patch per call', async () => {
    expect(maxDifference(await features(1), hubStyle.features)).toBeLessThan(hubStyle.feature_tolerance);
  });
});

describe('the VLM worker lays out a video by the graph it loaded (WASM, fp32)', () => {
  const tiny = getModel(TINY_TEST_VLM_ID);
  const fp32 = (entry: ModelEntry): ModelEntry => ({ ...entry, devices: { wasm: { ...entry.devices.wasm!, dtype: 'fp32' } } });
  const hubEntry = fp32({ ...tiny, id: 'tiny-hub-style-qwen2.5-vl', source: { kind: 'local', path: HUB_STYLE_PATH } });
  const inspected = new Map<string, VlmInspection>();

  beforeAll(async () => {
    const frames = await Promise.all(Array.from({ length: 6 }, (_, index) => fixture(`frame-${index}.png`)));
    const request = { prompt: 'What happens in the video?', video: { frames, secondsPerGrid: 2 / video.fps } };
    for (const entry of [hubEntry, fp32(tiny)]) {
      const client = new VlmClient({ model: entry, device: 'wasm' });
      try {
        await client.load();
        inspected.set(entry.id, await client.inspect(request, video.greedy_tokens.length));
      } finally {
        await client.dispose();
      }
    }
  });

  it('sends an unmarked graph one temporal patch per call, and its answer matches PyTorch', () => {
    const ours = inspected.get(hubEntry.id)!;
    expect(ours.gridThw).toEqual(video.grid_thw);
    expect(maxDifference(ours.nextTokenLogits, video.next_token_logits)).toBeLessThan(tinyReference.logit_tolerance);
    expect(ours.greedyTokens).toEqual(video.greedy_tokens);
    expect(ours.visionCalls).toBe(video.grid_thw[0]);
  });

  it("sends models/export's marked graph the whole video in one call", () => {
    const ours = inspected.get(tiny.id)!;
    expect(ours.visionCalls).toBe(1);
    expect(maxDifference(ours.nextTokenLogits, video.next_token_logits)).toBeLessThan(tinyReference.logit_tolerance);
  });
});
