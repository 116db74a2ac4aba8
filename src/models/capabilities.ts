/**
 * What this browser and machine can run models on: a WebGPU adapter (and whether it has
 * `shader-f16`, which fp16 and q4f16 weights need), its buffer limits, the memory hint and whether
 * WASM may use threads. Detection runs once at start; the chooser and the one-line summary shown to
 * the user read the plain result.
 */
import { formatBytes } from '../core/units';

export interface WebGpuCapabilities {
  readonly available: true;
  readonly shaderF16: boolean;
  /** Largest single buffer the adapter can create, in bytes. */
  readonly maxBufferSize: number;
  /** Largest storage buffer a shader can bind, in bytes (model weights are bound as storage). */
  readonly maxStorageBufferBindingSize: number;
  /** A software adapter (SwiftShader): it works, but is no faster than WASM. */
  readonly isFallbackAdapter: boolean;
  readonly vendor: string;
  readonly architecture: string;
}

export interface NoWebGpu {
  readonly available: false;
  /** Why not, for logs and the settings panel. */
  readonly reason: string;
}

export interface DeviceCapabilities {
  readonly webgpu: WebGpuCapabilities | NoWebGpu;
  /**
   * `navigator.deviceMemory` in GB, or undefined where the browser does not say (Firefox, Safari).
   * Chromium rounds it down to a power of two and caps it at 8, so 8 means "8 or more".
   */
  readonly deviceMemoryGB: number | undefined;
  /** Cross-origin isolated pages get SharedArrayBuffer, so ONNX Runtime's WASM may use threads. */
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
}

/** The parts of the WebGPU API this module reads (TypeScript's DOM library has no WebGPU types). */
interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: { readonly maxBufferSize: number; readonly maxStorageBufferBindingSize: number };
  readonly info?: { readonly vendor?: string; readonly architecture?: string; readonly isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

/** What detection reads from `navigator` and the global scope; tests pass their own. */
export interface CapabilityEnvironment {
  readonly gpu?: GpuLike | undefined;
  readonly deviceMemory?: number | undefined;
  readonly hardwareConcurrency?: number | undefined;
  readonly crossOriginIsolated?: boolean | undefined;
}

/** Some drivers never answer `requestAdapter`; a page must not wait on them forever. */
export const ADAPTER_TIMEOUT_MS = 5000;

export function browserEnvironment(): CapabilityEnvironment {
  const nav = (globalThis.navigator ?? {}) as Navigator & { gpu?: GpuLike; deviceMemory?: number };
  return {
    gpu: nav.gpu,
    deviceMemory: nav.deviceMemory,
    hardwareConcurrency: nav.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

export async function detectCapabilities(environment: CapabilityEnvironment = browserEnvironment()): Promise<DeviceCapabilities> {
  return {
    webgpu: await detectWebGpu(environment.gpu),
    deviceMemoryGB: environment.deviceMemory && environment.deviceMemory > 0 ? environment.deviceMemory : undefined,
    crossOriginIsolated: environment.crossOriginIsolated === true,
    hardwareConcurrency: Math.max(1, environment.hardwareConcurrency ?? 1),
  };
}

async function detectWebGpu(gpu: GpuLike | undefined): Promise<WebGpuCapabilities | NoWebGpu> {
  if (!gpu) return { available: false, reason: 'This browser has no WebGPU (navigator.gpu is missing).' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS);
  } catch (error) {
    return { available: false, reason: `Asking for a WebGPU adapter failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!adapter) return { available: false, reason: 'WebGPU is present but no adapter was offered (blocklisted GPU or drivers).' };
  return {
    available: true,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    isFallbackAdapter: adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
    vendor: adapter.info?.vendor ?? '',
    architecture: adapter.info?.architecture ?? '',
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Whether models should run on WebGPU at all. */
export function hasUsableWebGpu(capabilities: DeviceCapabilities): capabilities is DeviceCapabilities & { webgpu: WebGpuCapabilities } {
  return capabilities.webgpu.available;
}

/**
 * One line for the user, e.g. "WebGPU (f16) · 4 GB max buffer · 8 GB RAM · threads on", or
 * "No WebGPU: running on CPU (WASM) — slow · 8 GB RAM · threads off".
 */
export function summarizeCapabilities(capabilities: DeviceCapabilities): string {
  const parts: string[] = [];
  const { webgpu } = capabilities;
  if (webgpu.available) {
    const software = webgpu.isFallbackAdapter ? ', software' : '';
    parts.push(`WebGPU (${webgpu.shaderF16 ? 'f16' : 'no f16'}${software})`);
    parts.push(`${formatBytes(Math.min(webgpu.maxBufferSize, webgpu.maxStorageBufferBindingSize))} max buffer`);
  } else {
    parts.push('No WebGPU: running on CPU (WASM) — slow');
  }
  if (capabilities.deviceMemoryGB !== undefined) {
    parts.push(`${capabilities.deviceMemoryGB}${capabilities.deviceMemoryGB >= 8 ? '+' : ''} GB RAM`);
  }
  parts.push(capabilities.crossOriginIsolated ? 'threads on' : 'threads off');
  return parts.join(' · ');
}
