/**
 * Text reasoners for Stage 2, run by web-llm. Ids, libraries and memory are web-llm 0.2.86's own
 * `prebuiltAppConfig` (tests/node/models/webllm-registry.test.ts checks them).
 */
import type { MlcBuild, ModelEntry } from './types';

export const TEXT_REASONERS: readonly ModelEntry[] = [
  mlcReasoner({
    id: 'qwen2.5-7b-instruct-mlc',
    label: 'Qwen2.5 7B Instruct (web-llm)',
    family: 'qwen2',
    f16: { modelId: 'Qwen2.5-7B-Instruct-q4f16_1-MLC', modelLib: 'Qwen2-7B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 5106.67 },
    f32: { modelId: 'Qwen2.5-7B-Instruct-q4f32_1-MLC', modelLib: 'Qwen2-7B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 5900.09 },
    downloadMB: 4300,
    largestBufferMB: 310,
    license: 'apache-2.0',
  }),
  mlcReasoner({
    id: 'qwen3-4b-mlc',
    label: 'Qwen3 4B (web-llm)',
    family: 'qwen3',
    f16: { modelId: 'Qwen3-4B-q4f16_1-MLC', modelLib: 'Qwen3-4B-q4f16_1_cs1k-webgpu.wasm', vramMB: 3431.59 },
    f32: { modelId: 'Qwen3-4B-q4f32_1-MLC', modelLib: 'Qwen3-4B-q4f32_1_cs1k-webgpu.wasm', vramMB: 4327.71 },
    downloadMB: 2160,
    largestBufferMB: 243,
    license: 'apache-2.0',
    thinks: true,
  }),
  mlcReasoner({
    id: 'qwen2.5-3b-instruct-mlc',
    label: 'Qwen2.5 3B Instruct (web-llm)',
    family: 'qwen2',
    f16: { modelId: 'Qwen2.5-3B-Instruct-q4f16_1-MLC', modelLib: 'Qwen2.5-3B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 2504.76 },
    f32: { modelId: 'Qwen2.5-3B-Instruct-q4f32_1-MLC', modelLib: 'Qwen2.5-3B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 2893.64 },
    downloadMB: 1750,
    largestBufferMB: 170,
    license: 'qwen-research',
  }),
  mlcReasoner({
    id: 'qwen3-1.7b-mlc',
    label: 'Qwen3 1.7B (web-llm)',
    family: 'qwen3',
    f16: { modelId: 'Qwen3-1.7B-q4f16_1-MLC', modelLib: 'Qwen3-1.7B-q4f16_1_cs1k-webgpu.wasm', vramMB: 2036.66 },
    f32: { modelId: 'Qwen3-1.7B-q4f32_1-MLC', modelLib: 'Qwen3-1.7B-q4f32_1_cs1k-webgpu.wasm', vramMB: 2635.44 },
    downloadMB: 1090,
    largestBufferMB: 195,
    license: 'apache-2.0',
    thinks: true,
  }),
  mlcReasoner({
    id: 'qwen2.5-1.5b-instruct-mlc',
    label: 'Qwen2.5 1.5B Instruct (web-llm)',
    family: 'qwen2',
    f16: { modelId: 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC', modelLib: 'Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 1629.75 },
    f32: { modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', modelLib: 'Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 1888.97 },
    downloadMB: 830,
    largestBufferMB: 146,
    license: 'apache-2.0',
  }),
  mlcReasoner({
    id: 'qwen3-0.6b-mlc',
    label: 'Qwen3 0.6B (web-llm)',
    family: 'qwen3',
    f16: { modelId: 'Qwen3-0.6B-q4f16_1-MLC', modelLib: 'Qwen3-0.6B-q4f16_1_cs1k-webgpu.wasm', vramMB: 1403.34 },
    f32: { modelId: 'Qwen3-0.6B-q4f32_1-MLC', modelLib: 'Qwen3-0.6B-q4f32_1_cs1k-webgpu.wasm', vramMB: 1924.98 },
    downloadMB: 400,
    largestBufferMB: 97,
    license: 'apache-2.0',
    thinks: true,
  }),
  mlcReasoner({
    id: 'llama-3.2-1b-instruct-mlc',
    label: 'Llama 3.2 1B Instruct (web-llm)',
    family: 'llama',
    f16: { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', modelLib: 'Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 879.04 },
    f32: { modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', modelLib: 'Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 1128.82 },
    downloadMB: 670,
    largestBufferMB: 164,
    license: 'llama3.2',
  }),
];

/**
 * A web-llm text reasoner: its q4f16_1 build (needs `shader-f16`) and its q4f32_1 build. Memory is
 * web-llm's `vram_required_MB` (4096-token context). web-llm gives no download size, so that is an
 * estimate from the parameter count at 4.5 bits a weight, and the largest buffer (the token
 * embedding) one at 5 bits (q4f32_1's scales are wider).
 */
function mlcReasoner(spec: {
  id: string;
  label: string;
  family: string;
  f16: MlcBuild;
  f32: MlcBuild;
  downloadMB: number;
  largestBufferMB: number;
  license: string;
  thinks?: true;
}): ModelEntry {
  return {
    id: spec.id,
    role: 'text-reasoner',
    label: spec.label,
    family: spec.family,
    source: { kind: 'mlc', builds: { q4f16_1: spec.f16, q4f32_1: spec.f32 }, ...(spec.thinks ? { thinks: true } : {}) },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'q4f16_1',
        dtypeWithoutF16: 'q4f32_1',
        downloadMB: spec.downloadMB,
        downloadWithoutF16MB: spec.downloadMB,
        memoryMB: Math.ceil(spec.f16.vramMB),
        memoryWithoutF16MB: Math.ceil(spec.f32.vramMB),
        largestBufferMB: spec.largestBufferMB,
        downloadIsEstimate: true,
      },
    },
    license: spec.license,
    notes: "Ids, libraries and memory from web-llm 0.2.86's prebuiltAppConfig; the download size is an estimate.",
  };
}
