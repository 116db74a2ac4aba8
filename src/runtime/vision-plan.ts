/**
 * Whether a question can use the vision model, and the words for when it cannot: the person chose
 * "speech only", no vision tier fits the device, or the model's load failed (offline, a cut or
 * refused download, a full quota, too little memory). A failed load is kept until the person asks
 * to retry with vision (or another model is chosen), so every later question goes straight to the
 * speech instead of failing the same way again. Pure, apart from the small `VisionGate`; the model's
 * facts come from the registry.
 */
import { AppError } from '../core/errors';
import { formatMegabytes } from '../core/units';
import { costFor, type ModelDevice, type ModelEntry } from '../models/registry';

/** The chosen vision model as the messages name it. */
export interface VisionModelFacts {
  label: string;
  /** MB its files take on this device (the dtype the device runs). */
  downloadMB: number;
  /** WASM only: seconds one answer's first call takes, [fast, slow] (the registry's extrapolation from measured rates). */
  wasmSecondsPerAnswer?: readonly [number, number];
}

/** The device `entry` runs on here: WebGPU when it can, else WASM; throws when neither fits. */
export function deviceFor(entry: ModelEntry, webgpu: boolean): ModelDevice {
  if (webgpu && entry.devices.webgpu) return 'webgpu';
  if (entry.devices.wasm) return 'wasm';
  throw new AppError('model-load-failed', `${entry.label} needs WebGPU, which this browser does not offer.`);
}

/** What the messages say of `entry` on this device (null when no build of it fits). */
export function visionModelFacts(entry: ModelEntry, webgpu: boolean, shaderF16: boolean): VisionModelFacts | null {
  const device = deviceFor(entry, webgpu);
  const cost = costFor(entry, device, shaderF16);
  const profile = entry.devices[device];
  return cost
    ? { label: entry.label, downloadMB: cost.downloadMB, ...(device === 'wasm' && profile?.wasmSecondsPerAnswer ? { wasmSecondsPerAnswer: profile.wasmSecondsPerAnswer } : {}) }
    : null;
}

export interface VisionFacts {
  /** Null when no vision tier fits this device. */
  model: VisionModelFacts | null;
  /** Why no tier fits, when `model` is null. */
  unfit?: AppError;
  /** The person chose to answer from the speech only. */
  speechOnly: boolean;
  /** The last failed load of this model in this page, not retried since. */
  failure: AppError | null;
}

export type VisionVerdict = { usable: true } | { usable: false; reason: string };

/** "the vision model (Qwen3.5 0.8B, 703 MB)". */
export function visionModelName(model: VisionModelFacts | null): string {
  return model ? `the vision model (${model.label}, ${formatMegabytes(model.downloadMB)})` : 'the vision model';
}

/** Whether to load the vision model for the next question, or why the answer comes from the speech. */
export function visionVerdict(facts: VisionFacts): VisionVerdict {
  if (facts.speechOnly) return { usable: false, reason: 'you chose to answer from the speech only' };
  if (!facts.model) return { usable: false, reason: `no vision model fits this device${facts.unfit ? ` (${facts.unfit.message})` : ''}` };
  if (facts.failure) return { usable: false, reason: failureReason(facts.failure, facts.model) };
  return { usable: true };
}

/** Why the frames were not looked at, after a load of `model` failed with `error`: a clause after "because". */
export function failureReason(error: AppError, model: VisionModelFacts | null): string {
  const name = visionModelName(model);
  switch (error.code) {
    case 'offline':
      return /page is offline/.test(error.message)
        ? `${name} is not stored and the page is offline`
        : `${name} is not stored and this page cannot reach the site holding it`;
    case 'download-failed':
      return `the download of ${name} did not finish (${error.message})`;
    case 'download-refused':
      return `the server holding ${name} refused to send it`;
    case 'quota-exceeded':
      return `this browser has no room left to keep ${name}`;
    case 'out-of-memory':
      // On WASM the limit is WebAssembly's 4 GB, not the device (engine-errors.ts says which).
      return /WebAssembly gives/.test(error.message)
        ? `${name} did not fit in the 4 GB that WebAssembly gives the CPU engine`
        : `${name} did not fit in this device's memory`;
    case 'gpu-lost':
      return `the graphics card stopped responding while ${name} loaded`;
    case 'device-unsupported':
      return `${name} cannot run on this device (${error.message})`;
    default:
      return `${name} could not be loaded (${error.message})`;
  }
}

/** What the status line adds at "Ready" when asking would first download the vision model. */
export function downloadNote(model: VisionModelFacts, downlinkMbps: number | undefined): string {
  const size = formatMegabytes(model.downloadMB);
  const download =
    downlinkMbps && downlinkMbps > 0
      ? `, about ${formatDuration((model.downloadMB * 8 * 1.048576) / downlinkMbps)} at this connection's ${downlinkMbps} Mbit/s`
      : '';
  const answer = model.wasmSecondsPerAnswer
    ? ` On this device's CPU an answer then takes roughly ${formatDuration(model.wasmSecondsPerAnswer[0])} to ${formatDuration(model.wasmSecondsPerAnswer[1])}.`
    : '';
  return `The first question downloads ${model.label} (${size}${download}).${answer} Choose “Speech only” to answer from the speech without it.`;
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Keeps the vision model's load failure for the page, so a failed model is tried once per question
 * it fails in and not again until the person retries or the model changes.
 */
export class VisionGate {
  private failed: { key: string; error: AppError } | null = null;

  /** The failure kept for the model `key` names, or null. */
  failure(key: string): AppError | null {
    return this.failed?.key === key ? this.failed.error : null;
  }

  remember(key: string, error: AppError): void {
    this.failed = { key, error };
  }

  /** The person asked to retry with vision (or the connection came back). */
  retry(): void {
    this.failed = null;
  }
}
