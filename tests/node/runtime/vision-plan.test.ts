import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { loadFailure } from '../../../src/models/engines/engine-errors';
import { downloadNote, failureReason, VisionGate, visionVerdict, type VisionFacts } from '../../../src/runtime/vision-plan';

const qwen = { label: 'Qwen3.5 0.8B', downloadMB: 702.8, wasmSecondsPerAnswer: [420, 960] as const };
const facts = (over: Partial<VisionFacts>): VisionFacts => ({ model: qwen, speechOnly: false, failure: null, ...over });

describe('visionVerdict', () => {
  it('uses vision unless the person chose speech, no tier fits, or the model failed to load', () => {
    expect(visionVerdict(facts({}))).toEqual({ usable: true });
    expect(visionVerdict(facts({ speechOnly: true }))).toEqual({ usable: false, reason: 'you chose to answer from the speech only' });
    expect(visionVerdict(facts({ model: null, unfit: new AppError('device-unsupported', 'It needs WebGPU.') }))).toEqual({
      usable: false,
      reason: 'no vision model fits this device (It needs WebGPU.)',
    });
    const offline = new AppError('offline', 'Qwen3.5 0.8B is not stored in this browser, and this page is offline, so it cannot reach the Hub.');
    expect(visionVerdict(facts({ failure: offline }))).toEqual({
      usable: false,
      reason: 'the vision model (Qwen3.5 0.8B, 703 MB) is not stored and the page is offline',
    });
  });

  it('each kind of failure has its own reason', () => {
    const reasons = (['offline', 'download-failed', 'download-refused', 'quota-exceeded', 'out-of-memory', 'gpu-lost', 'model-load-failed'] as const).map((code) =>
      failureReason(new AppError(code, 'Why.'), qwen),
    );
    expect(new Set(reasons).size).toBe(reasons.length);
    expect(reasons[0]).toBe('the vision model (Qwen3.5 0.8B, 703 MB) is not stored and this page cannot reach the site holding it');
    expect(reasons[2]).toBe('the server holding the vision model (Qwen3.5 0.8B, 703 MB) refused to send it');
    expect(reasons[3]).toBe('this browser has no room left to keep the vision model (Qwen3.5 0.8B, 703 MB)');

    expect(reasons[4]).toBe("the vision model (Qwen3.5 0.8B, 703 MB) did not fit in this device's memory");
  });

  it("a load that did not fit in WASM's 4 GB says so, not the device's memory", () => {
    const wasm = loadFailure(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'), { label: 'Qwen3.5 0.8B', device: 'wasm' });
    expect(failureReason(wasm, qwen)).toBe('the vision model (Qwen3.5 0.8B, 703 MB) did not fit in the 4 GB that WebAssembly gives the CPU engine');
  });
});

describe('downloadNote', () => {
  it('says the size, the download time at the measured connection, and the CPU answer time', () => {
    expect(downloadNote(qwen, 10)).toBe(
      'The first question downloads Qwen3.5 0.8B (703 MB, about 10 min at this connection\'s 10 Mbit/s). On this device\'s CPU an answer then takes roughly 7 min to 16 min. Choose “Speech only” to answer from the speech without it.',
    );
    expect(downloadNote({ label: 'Qwen2.5-VL 3B', downloadMB: 2000 }, undefined)).toBe(
      'The first question downloads Qwen2.5-VL 3B (2 GB). Choose “Speech only” to answer from the speech without it.',
    );
  });
});

describe('VisionGate', () => {
  it('keeps a failure for its model until retry', () => {
    const gate = new VisionGate();
    const error = new AppError('out-of-memory', 'Too big.');
    gate.remember('a', error);
    expect(gate.failure('a')).toBe(error);
    expect(gate.failure('b')).toBeNull();
    gate.retry();
    expect(gate.failure('a')).toBeNull();
  });
});
