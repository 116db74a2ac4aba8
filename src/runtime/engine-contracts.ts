/**
 * What the engines behind one `<sage-agent>` take and report: their settings, the listener that
 * hears their loads, and the factories that start their workers (tests pass doubles).
 */
import type { ToolName } from '../core/protocol';
import type { AppError } from '../core/errors';
import { MediaClient, type MediaFile } from '../media/media-client';
import type { ModelLoadProgress } from '../models/engines/load-progress';
import type { WebLlmLoadProgress } from '../models/engines/webllm-client';
import { VlmClient, type VlmClientOptions } from '../models/engines/vlm-client';
import type { ModelChoice } from '../models/chooser';
import { loadWhisperEngine, type WhisperEngine, type WhisperLoadOptions } from '../models/engines/whisper-client';
import type { ModelDevice } from '../models/registry';
import { TextClient } from '../models/engines/text-client';
import type { TextWorkerLoadOptions } from '../models/engines/text-engine';
import type { FrameStore, WebSearchProvider } from '../tools';
import type { TranscriptCache } from '../tools/transcript-cache';
import type { DeviceCapabilities } from '../models/capabilities';

/**
 * The default speech model, whatever the device: Whisper base (npm package copy, q8) runs at 2-3x
 * real time on WASM here, while tiny misheard most of the test speech, too poor for a default.
 * People can still pick tiny in the models panel. Where the site serves Whisper's WebGPU build,
 * a GPU runs that instead (src/models/engines/whisper-models.ts).
 */
export const SPEECH_MODEL_ID = 'whisper-base';

export interface EngineSettings {
  /** Registry id of the VLM (orchestrator and visual tools); undefined: the chooser's orchestrator. */
  modelId: string | undefined;
  /** Where to load that VLM from instead (a Hub repo id or a folder on this site; model-source.ts). */
  modelSource: string | undefined;
  /** Registry id of the speech model; undefined: SPEECH_MODEL_ID. Only copies served with the app run. */
  speechId: string | undefined;
  /**
   * Site root the app's model files are served from: bundled Whisper under `models/Xenova/`, pulled
   * models under `models/` (listed in `models/served.json`), and local registry entries at their
   * `path`. Undefined: wherever the app itself is served from.
   */
  modelBaseUrl: string | undefined;
  /** What this device can run models on (detected once; see src/models/capabilities.ts). */
  capabilities: () => Promise<DeviceCapabilities>;
  /** The chooser's models for this device (src/models/chooser.ts). */
  choice: () => Promise<ModelChoice>;
}

export type LoadState =
  | { state: 'idle' }
  /** `modelId` once it is known which model is loading (the speech model follows the chooser). */
  | { state: 'loading'; modelId?: string }
  | { state: 'ready'; device: ModelDevice }
  | { state: 'failed'; error: AppError };

export type EngineModel = 'speech' | 'vlm' | 'reasoner' | 'writer';

export interface EngineListener {
  /** Bytes per file from transformers.js (Whisper, VLM); a fraction from web-llm (reasoner). */
  progress(model: EngineModel, label: string, progress: ModelLoadProgress | WebLlmLoadProgress | null): void;
  loaded(model: EngineModel, state: LoadState): void;
  /** Something the person should know that is not an error, e.g. a model moved to the CPU. */
  notice(text: string): void;
}

export interface VideoTools {
  file: MediaFile;
  frameStore: FrameStore;
  transcriptCache: TranscriptCache;
  webSearch: WebSearchProvider | undefined;
  /** Tools to offer; undefined for all of them. */
  enabled: readonly ToolName[] | undefined;
}

/** What starts the workers; tests pass doubles. */
export interface EngineFactories {
  media(): MediaClient;
  whisper(options: WhisperLoadOptions, onProgress: (progress: ModelLoadProgress) => void): Promise<WhisperEngine>;
  vlm(options: VlmClientOptions): VlmClient;
  /** web-llm is large: its module is fetched only when a text reasoner is needed. */
  webllm(): Promise<Pick<typeof import('../models/engines/webllm-client'), 'WebLlmReasoner' | 'createWebLlmWorkerEngine'>>;
  /** The small text tier's worker (speech-only answers). */
  text(options: TextWorkerLoadOptions): Pick<TextClient, 'load' | 'generate' | 'dispose'>;
}

/** What the model caches hold, per model (src/models/model-cache.ts `listCachedModels`). */
export type CachedModels = () => Promise<readonly { id: string; bytes: number }[]>;

export const WORKER_FACTORIES: EngineFactories = {
  media: () => new MediaClient(),
  whisper: loadWhisperEngine,
  vlm: (options) => new VlmClient(options),
  webllm: () => import('../models/engines/webllm-client'),
  text: (options) => new TextClient(options),
};
