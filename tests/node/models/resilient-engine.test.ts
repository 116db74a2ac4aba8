import { describe, expect, it, vi } from 'vitest';
import { AppError, cancelledError } from '../../../src/core/errors';
import { ResilientEngine, type EngineNotice } from '../../../src/models/engines/resilient-engine';
import { getModel, type ModelDevice } from '../../../src/models/registry';
import { smallerModel } from '../../../src/models/chooser';

/**
 * Engines whose failures are scripted per creation: `script[i]` is what the i-th engine created does
 * when asked to generate ('ok', or an error to throw), or 'load-fails:<message>' to fail creation.
 */
function factory(script: string[]) {
  const created: ModelDevice[] = [];
  const disposed: number[] = [];
  const create = vi.fn(async (device: ModelDevice) => {
    const index = created.length;
    created.push(device);
    const behaviour = script[index] ?? 'ok';
    if (behaviour.startsWith('load-fails:')) throw new Error(behaviour.slice('load-fails:'.length));
    return {
      generate: async (prompt: string) => {
        if (behaviour === 'ok') return `${device}#${index}: ${prompt}`;
        if (behaviour === 'cancel') throw cancelledError();
        throw new Error(behaviour);
      },
      dispose: async () => {
        disposed.push(index);
        if (behaviour.includes('lost')) throw new Error('device already gone');
      },
    };
  });
  return { create, created, disposed };
}

const LOST = 'DeviceLostError: GPU device was lost (reason: unknown)';

function engine(script: string[], devices: ModelDevice[] = ['webgpu', 'wasm'], fallBackOnLoadFailure = false) {
  const made = factory(script);
  const notices: EngineNotice[] = [];
  const resilient = new ResilientEngine({
    create: made.create,
    devices,
    label: 'Qwen2.5-VL 3B',
    onNotice: (n) => notices.push(n),
    fallBackOnLoadFailure,
  });
  return { resilient, notices, ...made };
}

describe('ResilientEngine', () => {
  it('passes generations through while nothing fails', async () => {
    const { resilient, created } = engine(['ok']);
    await resilient.load();
    expect(await resilient.generate('a')).toBe('webgpu#0: a');
    expect(await resilient.generate('b')).toBe('webgpu#0: b');
    expect(created).toEqual(['webgpu']);
  });

  it('GPU lost mid-generation: recreates the engine on the GPU and retries the step once', async () => {
    const { resilient, created, disposed, notices } = engine([LOST, 'ok']);
    await resilient.load();
    expect(await resilient.generate('step')).toBe('webgpu#1: step');
    expect(created).toEqual(['webgpu', 'webgpu']);
    expect(disposed).toEqual([0]);
    expect(notices.map((n) => n.kind)).toEqual(['recreated']);
    expect(resilient.device).toBe('webgpu');
  });

  it('GPU lost again on the retry: falls back to WASM with a notice, and stays there', async () => {
    const { resilient, created, notices } = engine([LOST, LOST, 'ok']);
    await resilient.load();
    expect(await resilient.generate('step')).toBe('wasm#2: step');
    expect(created).toEqual(['webgpu', 'webgpu', 'wasm']);
    expect(notices.map((n) => n.kind)).toEqual(['recreated', 'moved-device']);
    expect(notices[1]?.message).toMatch(/CPU \(WASM\).*slower/);
    expect(await resilient.generate('next')).toBe('wasm#2: next');
  });

  it('the GPU cannot even be recreated: goes straight to WASM', async () => {
    const { resilient, created } = engine([LOST, `load-fails:${LOST}`, 'ok']);
    await resilient.load();
    expect(await resilient.generate('s')).toBe('wasm#2: s');
    expect(created).toEqual(['webgpu', 'webgpu', 'wasm']);
  });

  it('without a WASM build (web-llm), a second loss is a gpu-lost AppError the caller can fall back on', async () => {
    const { resilient } = engine([LOST, LOST], ['webgpu']);
    await resilient.load();
    await expect(resilient.generate('s')).rejects.toMatchObject({ code: 'gpu-lost', message: expect.stringMatching(/keeps failing/) });
  });

  it('out of memory at load: an out-of-memory AppError naming the model', async () => {
    const { resilient } = engine(['load-fails:RangeError: Array buffer allocation failed']);
    const error = await resilient.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'out-of-memory', message: 'Qwen2.5-VL 3B did not fit in this device\'s memory. Close other tabs and try again.' });
  });

  it('a download cut off or a full cache at load: download-failed and quota-exceeded AppErrors', async () => {
    await expect(engine(['load-fails:TypeError: Failed to fetch']).resilient.load()).rejects.toMatchObject({ code: 'download-failed' });
    await expect(engine(['load-fails:QuotaExceededError: The quota has been exceeded.']).resilient.load()).rejects.toMatchObject({
      code: 'quota-exceeded',
      message: expect.stringMatching(/Delete cached models/),
    });
  });

  it('a load failure is final by default, and moves to the next device when the engine opts in', async () => {
    const final = engine(['load-fails:Error: unsupported operator']);
    await expect(final.resilient.load()).rejects.toMatchObject({ code: 'model-load-failed' });
    expect(final.created).toEqual(['webgpu']);

    const moving = engine(['load-fails:Error: unsupported operator', 'ok'], ['webgpu', 'wasm'], true);
    await moving.resilient.load();
    expect(moving.created).toEqual(['webgpu', 'wasm']);
    expect(moving.resilient.device).toBe('wasm');
    expect(moving.notices).toEqual([
      {
        kind: 'moved-device',
        device: 'wasm',
        message: 'Qwen2.5-VL 3B could not start on the graphics card, so it runs on the CPU (WASM), which is slower.',
      },
    ]);
    expect(await moving.resilient.generate('s')).toBe('wasm#1: s');

    const nowhere = engine(['load-fails:Error: a', 'load-fails:Error: b'], ['webgpu', 'wasm'], true);
    await expect(nowhere.resilient.load()).rejects.toMatchObject({ code: 'model-load-failed', detail: expect.stringContaining('Error: b') });
  });

  it('other failures and cancellation pass through without a retry', async () => {
    const broken = engine(['Error: shape mismatch']);
    await broken.resilient.load();
    await expect(broken.resilient.generate('s')).rejects.toThrow('shape mismatch');
    expect(broken.created).toHaveLength(1);
    const cancelled = engine(['cancel']);
    await cancelled.resilient.load();
    await expect(cancelled.resilient.generate('s')).rejects.toMatchObject({ code: 'cancelled' });
    expect(cancelled.created).toHaveLength(1);
  });
});

describe('smallerModel', () => {
  it('suggests the next smaller model of the same role on the same device', () => {
    expect(smallerModel(getModel('qwen2.5-vl-3b-instruct'), 'webgpu', true)?.id).toBe('qwen2-vl-2b-instruct');
    expect(smallerModel(getModel('qwen2.5-7b-instruct-mlc'), 'webgpu', false)?.id).toBe('qwen3-4b-mlc');
    expect(smallerModel(getModel('smolvlm-256m-instruct'), 'wasm', false)).toBeUndefined();
    expect(smallerModel(getModel('whisper-base'), 'wasm', false)?.id).toBe('whisper-tiny');
  });
});
