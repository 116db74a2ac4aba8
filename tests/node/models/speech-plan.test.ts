import { describe, expect, it } from 'vitest';
import { speechPlan, type SpeechPlanContext } from '../../../src/models/engines/whisper-models';
import { getModel, type ModelEntry } from '../../../src/models/registry';

const bundled = { model: 'Xenova/whisper-base', modelBaseUrl: 'https://example.org/app/models/' };
const context = (over: Partial<SpeechPlanContext>): SpeechPlanContext => ({
  webgpu: true,
  shaderF16: true,
  served: { models: {} },
  siteRoot: 'https://example.org/app/',
  bundled: (path) => ({ model: path, modelBaseUrl: bundled.modelBaseUrl }),
  ...over,
});

describe('where speech recognition runs', () => {
  it('the bundled q8 copy on WASM, unless the site serves the WebGPU build', () => {
    const base = getModel('whisper-base');
    const wasmOnly = { devices: ['wasm'], load: { wasm: { ...bundled, label: 'Whisper base', device: 'wasm', dtype: 'q8' } } };
    expect(speechPlan(base, context({ webgpu: false }))).toEqual(wasmOnly);
    expect(speechPlan(base, context({}))).toEqual(wasmOnly);
    // Served, but this browser has no WebGPU: still WASM.
    expect(speechPlan(base, context({ webgpu: false, served: { models: { 'whisper-base': ['fp32+q4'] } } }))).toEqual(wasmOnly);
  });

  it('a served WebGPU build runs first (fp32 encoder, q4 decoder), with the bundled copy as fallback', () => {
    const plan = speechPlan(getModel('whisper-base'), context({ served: { models: { 'whisper-base': ['fp32+q4'] } } }));
    expect(plan.devices).toEqual(['webgpu', 'wasm']);
    expect(plan.load.webgpu).toEqual({
      model: 'onnx-community/whisper-base',
      modelBaseUrl: 'https://example.org/app/models/',
      label: 'Whisper base',
      device: 'webgpu',
      dtype: { encoder_model: 'fp32', decoder_model_merged: 'q4' },
    });
    expect(plan.load.wasm).toMatchObject({ ...bundled, device: 'wasm' });
  });

  it('refuses a speech model that does not ship with the app', () => {
    const { bundledPath: _, ...unbundled } = getModel('whisper-tiny');
    expect(() => speechPlan(unbundled as ModelEntry, context({}))).toThrow(/does not ship with this app/);
  });
});
