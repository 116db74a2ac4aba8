/**
 * The small text tier's real path: the tiny random-weight Qwen3 (models/tiny/make_tiny_text.py,
 * the architecture of Qwen3 0.6B) through the real worker, transformers.js and ONNX Runtime on
 * WASM, loaded from this site. Its words are noise; its greedy tokens must be PyTorch's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reference from '../fixtures/tiny-text/reference.json';
import { TextClient } from '../../src/models/engines/text-client';

let client: TextClient;
const [system, user] = reference.messages;

beforeAll(async () => {
  client = new TextClient({
    source: { kind: 'url', url: new URL('/models/tiny/tiny-random-qwen3/', location.href).href },
    device: 'wasm',
    dtype: 'fp32',
    label: 'Tiny Qwen3',
  });
  expect(await client.load()).toMatchObject({ device: 'wasm', family: 'qwen3' });
});

afterAll(async () => {
  await client?.dispose();
});

describe('text tier on the tiny Qwen3 (WASM, local files only)', () => {
  it("writes PyTorch's greedy reply to the chat prompt, streamed piece by piece", async () => {
    const pieces: string[] = [];
    const reply = await client.reply({
      system: system!.content,
      prompt: user!.content,
      maxNewTokens: reference.greedyTokens.length,
      onToken: (piece) => pieces.push(piece),
    });
    expect(reply.tokens).toEqual(reference.greedyTokens);
    expect(reply.text).toBe(reference.greedyText);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(reply.text);
  });

  it('stops at once when aborted, with a cancelled error, and still answers afterwards', async () => {
    const controller = new AbortController();
    const running = client.generate({ prompt: user!.content, maxNewTokens: 400, signal: controller.signal, onToken: () => controller.abort() });
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    const after = await client.generate({ system: system!.content, prompt: user!.content, maxNewTokens: 4 });
    expect(after.length).toBeGreaterThan(0);
    expect(reference.greedyText.startsWith(after)).toBe(true);
  });

  it('a folder that is not there fails to load with a model-load-failed error naming the model', async () => {
    const missing = new TextClient({ source: { kind: 'url', url: new URL('/models/tiny/no-such-model/', location.href).href }, device: 'wasm', dtype: 'fp32', label: 'Missing model' });
    try {
      await expect(missing.load()).rejects.toMatchObject({ code: 'model-load-failed', message: expect.stringContaining('Missing model') });
    } finally {
      await missing.dispose();
    }
  });
});
