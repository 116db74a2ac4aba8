/**
 * What the settings panel needs to know about this device. `src/models/capabilities.ts` (issue 4)
 * will give a fuller report; until it lands, `detectDevice` looks only at what the browser exposes
 * cheaply. Anything that implements `DeviceSummarySource` can replace it.
 */
export interface DeviceSummary {
  /** A WebGPU adapter was found (navigator.gpu alone is not enough: headless or blocked GPUs return none). */
  webgpu: boolean;
  /** The adapter supports `shader-f16` (decides q4f16 vs q4 weights); unknown without WebGPU. */
  shaderF16?: boolean;
  /** navigator.deviceMemory in GB (Chromium only; capped at 8 by the browser). */
  memoryGB?: number;
  /** Logical processors for WASM threads. */
  cores?: number;
}

export interface DeviceSummarySource {
  summary(): Promise<DeviceSummary>;
}

interface GpuLike {
  requestAdapter(): Promise<{ features: { has(name: string): boolean } } | null>;
}

export const basicDeviceDetection: DeviceSummarySource = {
  async summary() {
    const nav = navigator as Navigator & { gpu?: GpuLike; deviceMemory?: number };
    let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>> = null;
    try {
      adapter = nav.gpu ? await nav.gpu.requestAdapter() : null;
    } catch {
      adapter = null;
    }
    return {
      webgpu: adapter !== null,
      ...(adapter ? { shaderF16: adapter.features.has('shader-f16') } : {}),
      ...(typeof nav.deviceMemory === 'number' ? { memoryGB: nav.deviceMemory } : {}),
      ...(nav.hardwareConcurrency ? { cores: nav.hardwareConcurrency } : {}),
    };
  },
};

/** One line for the settings panel, e.g. "WebGPU (f16) · 8 GB memory · 4 cores". */
export function describeDevice(device: DeviceSummary): string {
  const parts = [device.webgpu ? `WebGPU${device.shaderF16 ? ' (f16)' : ''}` : 'No WebGPU: models run on the CPU (WASM)'];
  if (device.memoryGB !== undefined) parts.push(`${device.memoryGB >= 8 ? 'at least 8' : device.memoryGB} GB memory`);
  if (device.cores !== undefined) parts.push(`${device.cores} core${device.cores === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
