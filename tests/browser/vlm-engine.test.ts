/**
 * The real VLM engine path: the tiny random-weight Qwen2.5-VL (models/tiny/make_tiny.py) through
 * the real worker, transformers.js and ONNX Runtime on WASM, loaded from this site with remote
 * loading off. The model's words are noise; what is checked is the path and its contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, isAppError, isCancelled } from '../../src/core/errors';
import { VlmClient } from '../../src/models/engines/vlm-client';
import { TINY_TEST_VLM_ID, getModel, type ModelEntry } from '../../src/models/registry';

const tiny = getModel(TINY_TEST_VLM_ID);
let client: VlmClient;

/** A solid frame with a diagonal stripe, so frames differ in content as well as size. */
function frameCanvas(width: number, height: number, hue: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  context.fillStyle = `hsl(${hue} 80% 50%)`;
  context.fillRect(0, 0, width, height);
  context.strokeStyle = 'white';
  context.lineWidth = 6;
  context.beginPath();
  context.moveTo(0, 0);
  context.lineTo(width, height);
  context.stroke();
  return canvas;
}

async function frames(): Promise<(ImageBitmap | Blob)[]> {
  return [
    frameCanvas(64, 48, 0).transferToImageBitmap(),
    frameCanvas(96, 96, 120).transferToImageBitmap(),
    await frameCanvas(56, 112, 240).convertToBlob({ type: 'image/png' }),
  ];
}

async function expectAppError(promise: Promise<unknown>, code: AppError['code']): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(isAppError(error), `expected an AppError, got ${String(error)}`).toBe(true);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

beforeAll(async () => {
  client = new VlmClient({ model: tiny, device: 'wasm' });
  const result = await client.load();
  expect(result).toMatchObject({ device: 'wasm', family: 'qwen2_5_vl' });
});

afterAll(async () => {
  await client?.dispose();
});

describe('VLM engine on the tiny Qwen2.5-VL (WASM, local files only)', () => {
  it('answers a prompt about three frames, streaming the reply as it decodes', async () => {
    const pieces: string[] = [];
    const reply = await client.generate({
      prompt: 'What happens in these frames?',
      images: await frames(),
      maxNewTokens: 24,
      onToken: (text) => pieces.push(text),
    });
    expect(typeof reply).toBe('string');
    expect(reply.length).toBeGreaterThan(0);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(reply);

    // Greedy decoding: the same frames and prompt give the same reply; the pixels reach the model.
    const again = await client.generate({ prompt: 'What happens in these frames?', images: await frames(), maxNewTokens: 24 });
    expect(again).toBe(reply);
    // The tiny model's replies repeat one token, so whether pixels reach it shows in the logits.
    const seen = await client.inspect({ prompt: 'What happens in these frames?', images: await frames() }, 1);
    const blind = await client.inspect({ prompt: 'What happens in these frames?' }, 1);
    const moved = seen.nextTokenLogits.reduce((most, value, index) => Math.max(most, Math.abs(value - blind.nextTokenLogits[index]!)), 0);
    expect(moved).toBeGreaterThan(1e-3);
  });

  it('answers text-only prompts with a custom system prompt (Stage 2)', async () => {
    const reply = await client.generate({ system: 'Reply in JSON.', prompt: 'Is the question answerable?', maxNewTokens: 8 });
    expect(typeof reply).toBe('string');
    expect(reply.length).toBeGreaterThan(0);
  });

  it('interrupt ends the reply early with the text so far', async () => {
    const request = { prompt: 'Describe the video.', images: await frames(), maxNewTokens: 160 };
    const full = await client.generate(request);

    let interrupted = false;
    const partial = await client.generate({
      ...request,
      images: await frames(),
      onToken: () => {
        if (!interrupted) {
          interrupted = true;
          void client.interrupt();
        }
      },
    });
    expect(interrupted).toBe(true);
    expect(partial.length).toBeLessThan(full.length);
    expect(full.startsWith(partial)).toBe(true);
  });

  it('an aborted signal rejects with a cancelled AppError and the engine keeps working', async () => {
    const controller = new AbortController();
    const call = client.generate({
      prompt: 'Describe the video.',
      maxNewTokens: 400,
      signal: controller.signal,
      onToken: () => controller.abort(),
    });
    const error = await call.then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(isCancelled(error)).toBe(true);

    const reply = await client.generate({ prompt: 'Still there?', maxNewTokens: 4 });
    expect(reply.length).toBeGreaterThan(0);
  });

  it('a missing model folder fails with model-load-failed, without trying the Hub', async () => {
    const missing: ModelEntry = { ...tiny, id: 'missing', source: { kind: 'local', path: 'models/tiny/no-such-model' } };
    const other = new VlmClient({ model: missing, device: 'wasm' });
    try {
      const error = await expectAppError(other.load(), 'model-load-failed');
      expect(error.message).toMatch(/could not be loaded/);
      expect(error.detail).toContain('no-such-model');
      // transformers.js names the setting that kept it from falling back to the Hub.
      expect(error.detail).toMatch(/allowRemoteModels=false/);
    } finally {
      await other.dispose();
    }
  });

  it('dispose stops a running reply, frees the model, and later calls fail instead of hanging', async () => {
    const other = new VlmClient({ model: tiny, device: 'wasm' });
    await other.load();
    let started!: () => void;
    const firstToken = new Promise<void>((resolve) => (started = resolve));
    const running = other.generate({ prompt: 'Describe the video.', maxNewTokens: 2000, onToken: () => started() });
    const outcome = running.then(
      () => null,
      (reason: unknown) => reason,
    );
    await firstToken;
    await other.dispose();
    expect(isCancelled(await outcome)).toBe(true);
    await expectAppError(other.generate({ prompt: 'Hello?' }), 'invalid-argument');
  });
});
