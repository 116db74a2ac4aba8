/**
 * The models this app knows, as plain data: what each is for, where its files live, and what it
 * costs on each device. Engines read an entry to load a model; the chooser picks entries that fit
 * the device. The entries live by kind (vision.ts, text-reasoners.ts, text-writers.ts, speech.ts; their shape in
 * types.ts); this module joins them and looks them up.
 */
import { SPEECH_MODELS } from './speech';
import { TEXT_REASONERS } from './text-reasoners';
import { TEXT_WRITERS } from './text-writers';
import type { DtypeSpec, MlcBuild, MlcDtype, ModelDevice, ModelEntry, ModelRole } from './types';
import { VISION_MODELS } from './vision';

export type * from './types';
export { DEFAULT_VLM_ID, TINY_TEST_VLM_ID } from './vision';
export { TINY_TEST_TEXT_WRITER_ID } from './text-writers';

/** Every entry: vision-language models, then text reasoners and writers, then speech models. */
export const MODELS: readonly ModelEntry[] = [...VISION_MODELS, ...TEXT_REASONERS, ...TEXT_WRITERS, ...SPEECH_MODELS];

export function findModel(id: string): ModelEntry | undefined {
  return MODELS.find((entry) => entry.id === id);
}

/** Like `findModel`, for ids that must exist (constants, saved settings already validated). */
export function getModel(id: string): ModelEntry {
  const entry = findModel(id);
  if (!entry) throw new Error(`Unknown model id: ${id}`);
  return entry;
}

export function modelsForRole(role: ModelRole): ModelEntry[] {
  return MODELS.filter((entry) => entry.role === role);
}

/** The dtype to load on `device`, or undefined when the entry does not run there. */
export function dtypeFor(entry: ModelEntry, device: ModelDevice, hasShaderF16 = true): DtypeSpec | undefined {
  const profile = entry.devices[device];
  if (!profile) return undefined;
  return hasShaderF16 || device !== 'webgpu' ? profile.dtype : (profile.dtypeWithoutF16 ?? profile.dtype);
}

/** What loading an entry on a device costs, for the dtype that device gets. */
export interface DeviceCost {
  dtype: DtypeSpec;
  downloadMB: number;
  memoryMB: number;
  largestBufferMB: number | undefined;
}

/** `dtypeFor` with the download, memory and buffer sizes of that dtype; undefined off its devices. */
export function costFor(entry: ModelEntry, device: ModelDevice, hasShaderF16 = true): DeviceCost | undefined {
  const profile = entry.devices[device];
  const dtype = dtypeFor(entry, device, hasShaderF16);
  if (!profile || dtype === undefined) return undefined;
  const withoutF16 = device === 'webgpu' && !hasShaderF16 && profile.dtypeWithoutF16 !== undefined;
  return {
    dtype,
    downloadMB: withoutF16 ? (profile.downloadWithoutF16MB ?? profile.downloadMB) : profile.downloadMB,
    memoryMB: withoutF16 ? (profile.memoryWithoutF16MB ?? profile.memoryMB) : profile.memoryMB,
    largestBufferMB: withoutF16 ? (profile.largestBufferWithoutF16MB ?? profile.largestBufferMB) : profile.largestBufferMB,
  };
}

/** The web-llm build to load for a dtype, or undefined for entries that are not web-llm models. */
export function mlcBuildFor(entry: ModelEntry, dtype: DtypeSpec): MlcBuild | undefined {
  if (entry.source.kind !== 'mlc' || !isMlcDtype(dtype)) return undefined;
  return entry.source.builds[dtype];
}

/**
 * The name of a dtype in `models/manifest.json` and in a deployment's list of served models: the
 * dtype itself, or a per-file spec's dtypes in file order ('fp32+q4' for Whisper on WebGPU).
 */
export function dtypeKey(dtype: DtypeSpec): string {
  return typeof dtype === 'string' ? dtype : Object.values(dtype).join('+');
}

export function isMlcDtype(dtype: DtypeSpec): dtype is MlcDtype {
  return dtype === 'q4f16_1' || dtype === 'q4f32_1';
}
