import { describe, expect, it } from 'vitest';
import {
  detectCapabilities,
  summarizeCapabilities,
  type CapabilityEnvironment,
  type DeviceCapabilities,
} from '../../../src/models/capabilities';

const GB = 1024 ** 3;

function fakeGpu(features: string[], limits = { maxBufferSize: 4 * GB, maxStorageBufferBindingSize: 2 * GB }, fallback = false) {
  return {
    requestAdapter: async () => ({
      features: new Set(features),
      limits,
      info: { vendor: 'acme', architecture: 'rdna', isFallbackAdapter: fallback },
    }),
  };
}

describe('detectCapabilities', () => {
  it('reads the adapter features and limits, memory, threads and cores', async () => {
    const env: CapabilityEnvironment = { gpu: fakeGpu(['shader-f16']), deviceMemory: 8, hardwareConcurrency: 12, crossOriginIsolated: true };
    const caps = await detectCapabilities(env);
    expect(caps).toEqual({
      webgpu: {
        available: true,
        shaderF16: true,
        maxBufferSize: 4 * GB,
        maxStorageBufferBindingSize: 2 * GB,
        isFallbackAdapter: false,
        vendor: 'acme',
        architecture: 'rdna',
      },
      deviceMemoryGB: 8,
      crossOriginIsolated: true,
      hardwareConcurrency: 12,
    });
  });

  it('says why WebGPU is missing: no navigator.gpu, no adapter, a failing or silent driver', async () => {
    expect((await detectCapabilities({})).webgpu).toMatchObject({ available: false, reason: expect.stringMatching(/navigator\.gpu/) });
    const noAdapter = { requestAdapter: async () => null };
    expect((await detectCapabilities({ gpu: noAdapter })).webgpu).toMatchObject({ available: false, reason: expect.stringMatching(/no adapter/) });
    const throwing = { requestAdapter: async () => Promise.reject(new Error('driver crashed')) };
    expect((await detectCapabilities({ gpu: throwing })).webgpu).toMatchObject({ reason: expect.stringMatching(/driver crashed/) });
  });

  it('treats a missing memory hint as unknown and a missing core count as one', async () => {
    const caps = await detectCapabilities({ deviceMemory: undefined });
    expect(caps.deviceMemoryGB).toBeUndefined();
    expect(caps.hardwareConcurrency).toBe(1);
    expect(caps.crossOriginIsolated).toBe(false);
  });
});

describe('summarizeCapabilities', () => {
  const base: DeviceCapabilities = {
    webgpu: {
      available: true,
      shaderF16: true,
      maxBufferSize: 4 * GB,
      maxStorageBufferBindingSize: 4 * GB,
      isFallbackAdapter: false,
      vendor: '',
      architecture: '',
    },
    deviceMemoryGB: 8,
    crossOriginIsolated: true,
    hardwareConcurrency: 8,
  };

  it('names f16, the usable buffer size, memory and threads in one line', () => {
    expect(summarizeCapabilities(base)).toBe('WebGPU (f16) · 4 GB max buffer · 8+ GB RAM · threads on');
  });

  it('uses the smaller of the two buffer limits and says when f16 is missing or the adapter is software', () => {
    const webgpu = { ...base.webgpu, shaderF16: false, maxStorageBufferBindingSize: 128 * 1024 ** 2, isFallbackAdapter: true } as const;
    expect(summarizeCapabilities({ ...base, webgpu, deviceMemoryGB: 4, crossOriginIsolated: false })).toBe(
      'WebGPU (no f16, software) · 128 MB max buffer · 4 GB RAM · threads off',
    );
  });

  it('says plainly that there is no WebGPU and it will be slow, leaving out unknown memory', () => {
    expect(summarizeCapabilities({ ...base, webgpu: { available: false, reason: 'x' }, deviceMemoryGB: undefined })).toBe(
      'No WebGPU: running on CPU (WASM) — slow · threads on',
    );
  });
});
