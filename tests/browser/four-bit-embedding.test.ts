/**
 * The committed tiny VLMs' q4 token embeddings are 4-bit GatherBlockQuantized graphs (models/export
 * writes them so for every q4 and q4f16 build; `make_tiny.py --check` checks the operator), and
 * the ONNX Runtime Web build that the app uses on WebGPU (transformers.js 4.3.2's
 * onnxruntime-web, its asyncify build) runs them on Chromium's software WebGPU adapter:
 *
 * - with CPU fallback disabled, so the session is refused unless the WebGPU execution provider
 *   itself has the operator (that build's CPU provider has no GatherBlockQuantized kernel; the
 *   CPU-only build the WASM workers load has one, which tests/browser/vlm-fidelity.test.ts runs);
 * - the table is 4-bit, not a float one: it differs from fp32's, each value by at most one 4-bit
 *   step of its 32-wide block (ONNX Runtime's symmetric blocks map the block's largest magnitude
 *   to -8, so a step is that magnitude / 8).
 *
 * q4f16 is not run here: WebGPU's kernel for it needs shader-f16, which this adapter lacks
 * ("Program GatherBlockQuantized requires f16 but the device does not support it").
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/webgpu';
import { configureOnnxWasm } from '../../src/models/engines/onnx-wasm';
import { maxDifference } from './reference-fixtures';

const BLOCK = 32;
const MODELS = ['models/tiny/tiny-random-qwen2_5_vl', 'models/tiny/tiny-random-qwen3_vl'];
const sessions: ort.InferenceSession[] = [];

/** Every row of a token embedding graph, run on WebGPU with nothing left to the CPU. */
async function embedTable(folder: string, graph: string): Promise<Float32Array> {
  configureOnnxWasm(ort.env.wasm, 1);
  const bytes = new Uint8Array(await (await fetch(`/${folder}/onnx/${graph}.onnx`)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['webgpu'],
    extra: { session: { disable_cpu_ep_fallback: '1' } },
  });
  sessions.push(session);
  const config = (await (await fetch(`/${folder}/config.json`)).json()) as { text_config: { vocab_size: number } };
  const ids = BigInt64Array.from({ length: config.text_config.vocab_size }, (_, id) => BigInt(id));
  const { inputs_embeds: embeds } = await session.run({ input_ids: new ort.Tensor('int64', ids, [1, ids.length]) });
  return (await embeds!.getData()) as Float32Array;
}

/** How far a 4-bit table strays from the float one, in 4-bit steps of each block. */
function worstSteps(quantized: Float32Array, float: Float32Array): number {
  let worst = 0;
  for (let start = 0; start < float.length; start += BLOCK) {
    const block = float.subarray(start, start + BLOCK);
    const step = Math.max(...block.map(Math.abs)) / 8;
    for (let i = 0; i < block.length; i++) {
      const error = Math.abs(quantized[start + i]! - block[i]!);
      // An all-zero block (the padding token's row) has no step: it must stay exactly zero.
      if (error > 0) worst = Math.max(worst, error / step);
    }
  }
  return worst;
}

afterAll(async () => {
  await Promise.all(sessions.map((session) => session.release()));
});

describe.each(MODELS)('%s: q4 token embedding on WebGPU', (folder) => {
  it('runs with no node left to the CPU, and holds a 4-bit table', async () => {
    const quantized = await embedTable(folder, 'embed_tokens_q4');
    const float = await embedTable(folder, 'embed_tokens');
    expect(maxDifference(quantized, float)).toBeGreaterThan(1e-3);
    expect(worstSteps(quantized, float)).toBeLessThanOrEqual(1 + 1e-5);
  });
});
