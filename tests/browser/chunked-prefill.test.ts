/**
 * A prompt prefilled in parts (src/models/decoder/chunked-prefill.ts) through the real VLM worker
 * gives PyTorch's one-run result: the tiny Qwen2.5-VL and Qwen3-VL (DeepStack) exports, fp32 on
 * WASM, with chunks of a few tokens so the parts cut through the picture and video tokens. Checked
 * against the reference of models/tiny/make_tiny.py with vlm-fidelity.test.ts's tolerance: the
 * next-token logits, the 12 greedy tokens after, and that the prompt did run in the parts asked for. The q4f16 build (float16
 * activations and cache) is compared with its own one-run result. The worker reports each vision
 * call and part (what the stall watchdog hears), and a cancel sent between parts ends the prompt.
 */
import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VlmClient, workerSource } from '../../src/models/engines/vlm-client';
import type { VlmInspection, VlmWorkerApi } from '../../src/models/engines/vlm-engine';
import type { ModelWorkProgress } from '../../src/core/contracts';
import { modelSiteRoot } from '../../src/models/site-root';
import { installAppErrorTransfer } from '../../src/rpc/comlink-errors';
import { maxDifference } from './reference-fixtures';
import { TINY_FAMILIES, tinyRequest, withWasmDtype, type CaseName } from './tiny-vlm-cases';

/** Odd sizes, so no part boundary falls on a vision block's edge by design. */
const CHUNK_TOKENS = [7, 31];

describe.each(TINY_FAMILIES.flatMap((family) => CHUNK_TOKENS.map((chunk) => ({ family, chunk, label: `${family.name}, ${chunk}-token parts` }))))(
  'tiny $label against PyTorch (WASM fp32)',
  ({ family, chunk }) => {
    let client: VlmClient;
    const inspected = new Map<CaseName, VlmInspection>();
    const names = Object.keys(family.cases) as CaseName[];
    const steps = family.cases.text!.greedy_tokens.length;

    beforeAll(async () => {
      client = new VlmClient({ model: withWasmDtype(family.entry, 'fp32'), device: 'wasm', prefillChunkTokens: chunk });
      await client.load();
      for (const name of [...names].reverse()) inspected.set(name, await client.inspect(await tinyRequest(family, name), steps));
    });

    afterAll(async () => {
      await client?.dispose();
    });

    it.each(names)('%s prompt: prefilled in parts, same logits and greedy tokens', (name) => {
      const ours = inspected.get(name)!;
      const expected = family.cases[name]!;
      expect(ours.inputIds).toEqual(expected.input_ids);
      expect(ours.prefillRuns).toBe(Math.ceil(expected.input_ids.length / chunk));
      expect(maxDifference(ours.nextTokenLogits, expected.next_token_logits)).toBeLessThan(family.tolerance);
      expect(ours.greedyTokens).toEqual(expected.greedy_tokens);
    });
  },
);

describe('tiny Qwen3-VL q4f16 in parts against its one-run result (WASM)', () => {
  const family = TINY_FAMILIES.find((candidate) => candidate.name === 'Qwen3-VL')!;
  const clients: VlmClient[] = [];
  let whole: VlmInspection;
  let parts: VlmInspection;

  beforeAll(async () => {
    const steps = family.cases.text!.greedy_tokens.length;
    const request = await tinyRequest(family, 'video');
    for (const prefillChunkTokens of [undefined, 7]) {
      const client = new VlmClient({ model: withWasmDtype(family.entry, 'q4f16'), device: 'wasm', ...(prefillChunkTokens ? { prefillChunkTokens } : {}) });
      clients.push(client);
      await client.load();
      const inspection = await client.inspect(request, steps);
      if (prefillChunkTokens) parts = inspection;
      else whole = inspection;
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('same greedy tokens, and logits within float16 rounding', () => {
    expect(whole.prefillRuns).toBe(1);
    expect(parts.prefillRuns).toBe(Math.ceil(whole.inputIds.length / 7));
    expect(parts.greedyTokens).toEqual(whole.greedyTokens);
    expect(maxDifference(parts.nextTokenLogits, whole.nextTokenLogits)).toBeLessThan(2e-2);
  });
});

/**
 * On WebGPU transformers.js keeps the cache in GPU buffers (`preferredOutputLocation`): each part
 * takes the previous part's GPU cache as its past, and the parts' caches are freed as they go.
 * Chromium's software adapter, fp32 (it has no shader-f16). Its kernels round differently from
 * the CPU's, so the parts are held to the one-run WebGPU result's own distance from PyTorch.
 */
describe('tiny Qwen3-VL in parts on WebGPU against PyTorch', () => {
  const family = TINY_FAMILIES.find((candidate) => candidate.name === 'Qwen3-VL')!;
  const clients: VlmClient[] = [];
  let whole: VlmInspection;
  let parts: VlmInspection;

  beforeAll(async () => {
    const entry = { ...family.entry, devices: { webgpu: { ...family.entry.devices.wasm!, dtype: 'fp32' as const } } };
    const request = await tinyRequest(family, 'video');
    for (const prefillChunkTokens of [undefined, 31]) {
      const client = new VlmClient({ model: entry, device: 'webgpu', ...(prefillChunkTokens ? { prefillChunkTokens } : {}) });
      clients.push(client);
      await client.load();
      const inspection = await client.inspect(request, family.cases.video!.greedy_tokens.length);
      if (prefillChunkTokens) parts = inspection;
      else whole = inspection;
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('video prompt: same greedy tokens, logits as near PyTorch as in one run', () => {
    const expected = family.cases.video!;
    expect(parts.prefillRuns).toBe(Math.ceil(expected.input_ids.length / 31));
    const wholeError = maxDifference(whole.nextTokenLogits, expected.next_token_logits);
    const partsError = maxDifference(parts.nextTokenLogits, expected.next_token_logits);
    console.info(`WebGPU next-token logits from PyTorch: one run ${wholeError.toExponential(2)}, in parts ${partsError.toExponential(2)}`);
    expect(partsError).toBeLessThan(2 * Math.max(wholeError, family.tolerance));
    expect(parts.greedyTokens).toEqual(expected.greedy_tokens);
  });
});

/**
 * What the client's stall watchdog hears before the first token: each vision call, then each part
 * of the prompt but the last (the tokens follow it).
 */
describe('the worker reports each step of a long Stage 1', () => {
  const family = TINY_FAMILIES.find((candidate) => candidate.name === 'Qwen3-VL')!;
  let worker: Worker;
  let remote: Comlink.Remote<VlmWorkerApi>;
  const steps: ModelWorkProgress[] = [];
  let reply: string;

  beforeAll(async () => {
    installAppErrorTransfer();
    worker = new Worker(new URL('../../workers/vlm.worker.ts', import.meta.url), { type: 'module' });
    remote = Comlink.wrap<VlmWorkerApi>(worker);
    const entry = withWasmDtype(family.entry, 'fp32');
    await remote.load({ source: workerSource(entry, 'fp32', modelSiteRoot(undefined)), device: 'wasm', dtype: 'fp32', label: entry.label, prefillChunkTokens: 31 });
    const request = await tinyRequest(family, 'video');
    reply = await remote.generate(
      { jobId: 'steps', prompt: request.prompt, images: [], video: request.video!, maxNewTokens: 4 },
      undefined,
      Comlink.proxy((progress: ModelWorkProgress) => void steps.push(progress)),
    );
  });

  afterAll(() => {
    worker?.terminate();
  });

  it('vision calls, then prompt parts in order', () => {
    const total = family.cases.video!.input_ids.length;
    const parts = Math.ceil(total / 31);
    expect(reply.length).toBeGreaterThan(0);
    expect(steps).toEqual([
      { phase: 'vision', done: 1, total: 1 },
      ...Array.from({ length: parts - 1 }, (_, index) => ({ phase: 'prefill', done: (index + 1) * 31, total })),
    ]);
  });

  it('a cancel between parts ends the prompt there', async () => {
    const request = await tinyRequest(family, 'text');
    const heard: ModelWorkProgress[] = [];
    // The same worker, prefilling in 31-token parts: a cancel sent at the first part arrives before the second.
    const run = remote.generate(
      { jobId: 'cancelled', prompt: request.prompt.repeat(20), images: [], maxNewTokens: 4 },
      undefined,
      Comlink.proxy((progress: ModelWorkProgress) => {
        heard.push(progress);
        if (heard.length === 1) void remote.cancel('cancelled');
      }),
    );
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan(Math.ceil(heard[0]!.total / 31) - 1);
  });
});
