/** Main-thread `VlmEngine`: owns the VLM worker and turns registry entries into load options. */
import * as Comlink from 'comlink';
import { AppError } from '../../core/errors';
import { cancelOnAbort, untilAborted } from '../../core/cancellation';
import { dtypeFor, isMlcDtype, type DtypeSpec, type ModelDevice, type ModelEntry } from '../registry';
import { NO_SERVED_MODELS, isServed, servedFolderUrl, type ServedModels } from '../served-models';
import { modelSiteRoot } from '../site-root';
import type { VlmInspection, VlmWorkerGenerateRequest, VlmEngine, VlmLoadProgress, VlmLoadResult, VlmWorkerApi, VlmWorkerLoadOptions, VlmWorkerSource } from './vlm-engine';
import type { ModelWorkProgress, VlmGenerateRequest } from '../../core/contracts';
import { ModelWorker } from './model-worker';
import { formatBytes } from '../../core/units';
import { stallFailure } from './engine-errors';
import { stallLimits, watchProgress } from '../../core/watchdog';

export type { VlmEngine, VlmLoadProgress, VlmLoadResult } from './vlm-engine';

const DEFAULT_MAX_NEW_TOKENS = 512;

export interface VlmClientOptions {
  model: ModelEntry;
  device: ModelDevice;
  /** Whether the WebGPU adapter has `shader-f16`; picks the entry's fp16-free dtype when false. */
  hasShaderF16?: boolean;
  /**
   * Absolute URL of the folder that holds a local entry's model folder path, i.e. the site root.
   * Defaults to `modelSiteRoot` (src/models/site-root.ts), as the page's engines use.
   */
  siteRoot?: string;
  /** Models this site serves itself; a served Hub model loads from the site instead of the Hub. */
  served?: ServedModels;
  /** A smaller model of the same role, suggested when this one does not fit in memory. */
  smallerLabel?: string;
  /** Prompt tokens per decoder run of a long prompt, instead of the budget's choice (tests, bench). */
  prefillChunkTokens?: number;
}

/** Where a registry entry's files for `dtype` are fetched from, as the worker needs it. */
export function workerSource(model: ModelEntry, dtype: DtypeSpec, siteRoot: string, served: ServedModels = NO_SERVED_MODELS): VlmWorkerSource {
  if (model.source.kind === 'mlc') {
    throw new AppError('invalid-argument', `${model.label} is a text model for web-llm, not a vision-language model.`, {
      detail: `${model.id} has an mlc source`,
    });
  }
  const servedFolder = isServed(served, model, dtype) ? servedFolderUrl(model, siteRoot) : undefined;
  if (servedFolder) return { kind: 'url', url: servedFolder };
  if (model.source.kind === 'hub') {
    return model.source.revision === undefined
      ? { kind: 'hub', repo: model.source.repo }
      : { kind: 'hub', repo: model.source.repo, revision: model.source.revision };
  }
  const folder = model.source.path.replace(/^\/+|\/+$/g, '');
  return { kind: 'url', url: new URL(`${folder}/`, siteRoot).href };
}

/**
 * How long a generation may go without a token, vision call or prompt part before it counts as
 * stalled. A Hub graph prefills a Stage 1 in one decoder run with no report inside it; on WASM
 * that run may take up to the slow end of the model's measured time per answer (registry), which
 * then replaces the usual bound when it is longer.
 */
export function generationIdleSeconds(model: ModelEntry, device: ModelDevice, usual: number): number {
  const slowest = device === 'wasm' ? model.devices.wasm?.wasmSecondsPerAnswer?.[1] : undefined;
  return Math.max(usual, slowest ?? 0);
}

export class VlmClient implements VlmEngine {
  private readonly worker: ModelWorker<VlmWorkerApi>;
  private readonly loadOptions: VlmWorkerLoadOptions;
  private readonly model: ModelEntry;
  private nextJob = 0;

  constructor(options: VlmClientOptions) {
    const { model, device } = options;
    this.model = model;
    const dtype = dtypeFor(model, device, options.hasShaderF16 ?? true);
    if (dtype === undefined || isMlcDtype(dtype)) {
      throw new AppError('invalid-argument', `${model.label} cannot run on ${device === 'webgpu' ? 'WebGPU' : 'WASM'}.`, {
        detail: `${model.id} has no ${device} profile`,
      });
    }
    this.loadOptions = {
      source: workerSource(model, dtype, options.siteRoot ?? modelSiteRoot(undefined), options.served),
      device,
      dtype,
      label: model.label,
      smallerLabel: options.smallerLabel,
      ...(options.prefillChunkTokens === undefined ? {} : { prefillChunkTokens: options.prefillChunkTokens }),
    };
    this.worker = new ModelWorker(new Worker(new URL('../../../workers/vlm.worker.ts', import.meta.url), { type: 'module' }), 'vision-language model');
  }

  /**
   * Loads under a watchdog (watchdog.ts): download reports advance it, and the runtime's start-up
   * after the last byte must end within the same bound. A stalled load ends the worker.
   */
  load(onProgress?: (progress: VlmLoadProgress) => void): Promise<VlmLoadResult> {
    if (this.worker.closed) return Promise.reject(this.worker.closedError());
    const { label, source, device } = this.loadOptions;
    let last: string | undefined;
    return watchProgress(
      {
        idleSeconds: stallLimits().loadSeconds,
        stalled: (idle) =>
          stallFailure(idle, { label, phase: 'load', lastProgress: last ?? 'no download progress', where: `${source.kind === 'url' ? source.url : source.repo} on ${device}` }),
        onStall: () => this.worker.end(),
      },
      (advance) =>
        Promise.race([
          this.worker.remote.load(
            this.loadOptions,
            Comlink.proxy((progress: VlmLoadProgress) => {
              last = `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} downloaded`;
              advance();
              onProgress?.(progress);
            }),
          ),
          this.worker.failed,
        ]),
    );
  }

  /**
   * Aborting rejects at once with a 'cancelled' AppError; the worker stops after its current token.
   * A generation with no new token, vision call or part of its prompt's prefill for the bounded time
   * (watchdog.ts) ends the worker and rejects with a 'stalled' AppError; the engine is then loaded
   * afresh by the next call.
   */
  async generate(request: VlmGenerateRequest): Promise<string> {
    const { signal, onToken, onWork } = request;
    if (this.worker.closed) throw this.worker.closedError();
    const jobId = `vlm-${++this.nextJob}`;
    return cancelOnAbort(signal, () => void this.worker.remote.cancel(jobId), () =>
      watchProgress(
        {
          idleSeconds: generationIdleSeconds(this.model, this.loadOptions.device, stallLimits().vlmJobSeconds),
          stalled: (idle) => stallFailure(idle, { label: this.loadOptions.label, phase: 'run' }),
          onStall: () => this.worker.end(),
        },
        (advance) => {
          const call = this.worker.remote.generate(
            workerRequest(jobId, request),
            Comlink.proxy((text: string) => {
              advance();
              onToken?.(text);
            }),
            Comlink.proxy((progress: ModelWorkProgress) => {
              advance();
              onWork?.(progress);
            }),
          );
          return signal ? untilAborted(call, signal) : call;
        },
      ),
    );
  }

  /** Runs one prompt for inspection (processor outputs, positions, logits, greedy tokens); tests and bench. */
  inspect(request: Omit<VlmGenerateRequest, 'signal' | 'onToken'>, greedySteps: number): Promise<VlmInspection> {
    if (this.worker.closed) return Promise.reject(this.worker.closedError());
    return this.worker.remote.inspect(workerRequest(`inspect-${++this.nextJob}`, request), greedySteps);
  }

  /** Runs only the vision encoder on the request's pictures or video; the bench's Stage-1 figures. */
  measureVision(request: Omit<VlmGenerateRequest, 'signal' | 'onToken'>): Promise<{ visualTokens: number; visionSeconds: number }> {
    if (this.worker.closed) return Promise.reject(this.worker.closedError());
    return this.worker.remote.measureVision(workerRequest(`vision-${++this.nextJob}`, request));
  }

  interrupt(): Promise<void> {
    return this.worker.closed ? Promise.resolve() : this.worker.remote.interrupt();
  }

  /** Frees the model and ends the worker; a running generation rejects with a 'cancelled' AppError. */
  dispose(): Promise<void> {
    return this.worker.dispose();
  }
}

function workerRequest(jobId: string, request: Omit<VlmGenerateRequest, 'signal' | 'onToken' | 'onWork'>): VlmWorkerGenerateRequest {
  const { images = [], maxNewTokens = DEFAULT_MAX_NEW_TOKENS, prompt, system, video } = request;
  return {
    jobId,
    prompt,
    images,
    maxNewTokens,
    ...(system === undefined ? {} : { system }),
    ...(video === undefined ? {} : { video }),
  };
}
