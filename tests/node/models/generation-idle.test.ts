import { describe, expect, it } from 'vitest';
import { generationIdleSeconds } from '../../../src/models/engines/vlm-client';
import { getModel } from '../../../src/models/registry';

describe('generationIdleSeconds', () => {
  it("raises the bound on WASM to the slow end of the model's time per answer", () => {
    const model = getModel('qwen2-vl-2b-instruct');
    const slow = model.devices.wasm!.wasmSecondsPerAnswer![1];
    // A one-run Stage-1 prefill of this Hub graph may take longer than the usual 10 minutes.
    expect(slow).toBeGreaterThan(600);
    expect(generationIdleSeconds(model, 'wasm', 600)).toBe(slow);
  });

  it('keeps the usual bound on WebGPU, for a model with no WASM time, and when the usual one is longer', () => {
    expect(generationIdleSeconds(getModel('qwen2-vl-2b-instruct'), 'webgpu', 600)).toBe(600);
    expect(generationIdleSeconds(getModel('sage-mm-qwen3-vl-4b'), 'wasm', 600)).toBe(600);
    expect(generationIdleSeconds(getModel('qwen3.5-0.8b'), 'wasm', 7200)).toBe(7200);
  });
});
