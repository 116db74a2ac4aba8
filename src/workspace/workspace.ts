/**
 * What one `<sage-agent>` does, without any DOM: the open video and its session, questions and
 * Stop, "Transcribe all", and the models behind them. Everything the page shows is one state
 * object, replaced slice by slice as work moves on; a run's steps arrive as events. The element
 * renders the state and forwards the events, and Node tests drive the workspace with doubles.
 */
import type { AgentEvent } from '../agent/events';
import { AgentSession } from '../agent/session';
import type { GenerateRequest, ReasoningModel, TimeSpan, TranscriptSegment } from '../core/contracts';
import { AppError, disposedError, isCancelled, toAppError } from '../core/errors';
import type { MediaFile } from '../media/media-client';
import { mediaUses, type MediaUses } from '../media/media-uses';
import { detectCapabilities, type DeviceCapabilities } from '../models/capabilities';
import type { FileLoadProgress } from '../models/engines/load-progress';
import { servedModelsAt, type ServedModels } from '../models/served-models';
import { modelSiteRoot } from '../models/site-root';
import { FrameStore, type WebSearchProvider } from '../tools';
import { TranscriptCache } from '../tools/transcript-cache';
import { keepTranscript, transcriptKey, TranscriptStore, type TranscriptKeyParts, type TranscriptStorage } from '../tools/transcript-store';
import { verbalTranscript } from '../tools/verbal-transcript';
import { AgentEngines, SPEECH_MODEL_ID, WORKER_FACTORIES, type EngineFactories, type EngineModel, type LoadState } from '../runtime/engines';
import { stage2Model } from '../runtime/stage2';
import { ModelPicks, NO_MODEL_SETTINGS, type DeviceReport, type ModelSettings } from './model-picks';
import { openStatus, type OpenPhase } from './open-status';

/** "Transcribe all" works through the video in windows this long, so progress shows and Stop is quick. */
export const TRANSCRIBE_WINDOW_SECONDS = 300;

export type ErrorStage = 'open' | 'ask' | 'transcribe';

export interface WorkspaceError {
  error: AppError;
  /** What the person was doing when it failed. */
  during: ErrorStage;
}

/** One long job (a model download, the skim, a transcription); no total is a job of unknown length. */
export interface ProgressRow {
  /** Stable id of the job. */
  id: string;
  label: string;
  done?: number;
  total?: number;
  unit?: 'bytes' | 'seconds' | 'percent';
  /** A model download's files. */
  files?: readonly FileLoadProgress[];
}

export interface VideoState {
  /** Which open this is: a later open of the same file is another video. */
  readonly id: number;
  readonly name: string;
  /** What the player plays: an object URL the workspace revokes on close, or the host's URL. */
  readonly url: string;
  /** Null while the file is being read. */
  readonly file: MediaFile | null;
  /** Seconds; 0 until the file has been read. */
  readonly duration: number;
  /** Frames the tools extracted, which the steps show as thumbnails. */
  readonly frames: FrameStore;
}

export interface TranscriptState {
  segments: readonly TranscriptSegment[];
  /** Seconds of the video transcribed so far. */
  coveredSeconds: number;
  duration: number;
  /** A word on the transcript itself, e.g. that it cannot be kept after the page closes. */
  notice: string | null;
}

export interface ModelsState {
  /** The VLM in use: the host's pick, else the chooser's once known, else the registry default. */
  vlmId: string;
  vlm: LoadState;
  /** The speech model once a load has named it; null before. */
  speechId: string | null;
}

export interface WorkspaceState {
  readonly video: VideoState | null;
  /** The status line (read out to screen readers). */
  readonly status: string;
  /** The failure shown to the person, until the next open or question. */
  readonly alert: AppError | null;
  /** Whether a question about the open video can be asked at all. */
  readonly askable: boolean;
  /** A question is being answered (Stop ends it). */
  readonly asking: boolean;
  /** "Transcribe all" is running (pressing it again stops it). */
  readonly transcribing: boolean;
  readonly progress: readonly ProgressRow[];
  readonly transcript: TranscriptState;
  /** Where the last answer's evidence lies. */
  readonly evidence: readonly TimeSpan[];
  readonly models: ModelsState;
}

/** A question the workspace has started answering; its steps follow as `step` events. */
export interface RunStart {
  question: string;
  duration: number;
  skimFrames: number;
  frames: FrameStore;
}

export interface WorkspaceEventMap {
  /** The state after a change, and the one before it. */
  change: { state: WorkspaceState; previous: WorkspaceState };
  'run-start': RunStart;
  /** Every agent event of the running question (its answer too). */
  step: AgentEvent;
  /** Something to add to the running question's steps that is not one of its events. */
  notice: string;
  /** A failure: those shown in `alert`, and a question's own failed end. */
  error: WorkspaceError;
}

/** What the host sets besides the model settings (the element's properties). */
export interface WorkspaceSettings extends ModelSettings {
  /** Enables `unified_web_search` and `parse_web_data` for videos opened from then on. */
  webSearch: WebSearchProvider | undefined;
  /** Where the app's `models/` folder is served from; undefined: next to the app's script. */
  modelBaseUrl: string | undefined;
  /** Replaces the VLM as orchestrator (both stages), read per call. */
  orchestrator: ReasoningModel | undefined;
}

export interface WorkspaceOptions {
  /** What starts the workers; tests pass doubles. */
  factories?: EngineFactories;
  transcriptStore?: TranscriptStorage;
  capabilities?: () => Promise<DeviceCapabilities>;
  served?: (siteRoot: string) => Promise<ServedModels>;
  /** Runs before a closed video's file is disposed, e.g. to stop a player that reads it. */
  releaseVideo?: (video: VideoState) => Promise<void>;
}

/** What a progress row says while a model's load has not reported any progress yet. */
const LOADING_LABELS: Record<EngineModel, string> = {
  speech: 'speech recognition',
  vlm: 'the vision-language model',
  reasoner: 'the text reasoner',
};

const EMPTY_TRANSCRIPT: TranscriptState = { segments: [], coveredSeconds: 0, duration: 0, notice: null };

/** An open video's own resources, beside its state. */
interface OpenVideo {
  state: VideoState & { file: MediaFile };
  blob: Blob;
  ownsUrl: boolean;
  uses: MediaUses;
  transcriptCache: TranscriptCache;
  session: Promise<AgentSession>;
  /** Ends the skim, transcriptions and transcript keeping of this video. */
  abort: AbortController;
  /** Ends the keeping of the transcript under the current speech model's key. */
  keeping: AbortController | null;
}

type Listeners = { [K in keyof WorkspaceEventMap]: Set<(value: WorkspaceEventMap[K]) => void> };

export class Workspace {
  private current: WorkspaceState;
  private config: WorkspaceSettings = { ...NO_MODEL_SETTINGS, webSearch: undefined, modelBaseUrl: undefined, orchestrator: undefined };
  private readonly listeners: Listeners = { change: new Set(), 'run-start': new Set(), step: new Set(), notice: new Set(), error: new Set() };
  private readonly picks: ModelPicks;
  private readonly transcriptStore: TranscriptStorage;
  private enginesMade: AgentEngines | null = null;
  private open: OpenVideo | null = null;
  /** Counts opens, so an open overtaken by a later one drops its file. */
  private opens = 0;
  /** The URL being fetched, so asking for it twice fetches it once. */
  private fetching: string | null = null;
  private running: AbortController | null = null;
  private transcribing: AbortController | null = null;
  private disposed = false;

  constructor(private readonly options: WorkspaceOptions = {}) {
    this.transcriptStore = options.transcriptStore ?? new TranscriptStore();
    this.picks = new ModelPicks({
      settings: () => this.config,
      capabilities: options.capabilities ?? detectCapabilities,
      served: () => (options.served ?? servedModelsAt)(modelSiteRoot(this.config.modelBaseUrl)),
      onChosen: () => this.update({}),
    });
    this.current = {
      video: null,
      status: '',
      alert: null,
      askable: false,
      asking: false,
      transcribing: false,
      progress: [],
      transcript: EMPTY_TRANSCRIPT,
      evidence: [],
      models: { vlmId: this.picks.modelId, vlm: { state: 'idle' }, speechId: null },
    };
  }

  get state(): WorkspaceState {
    return this.current;
  }

  /** True after `dispose`; a host that shows the element again makes a new workspace. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  get settings(): Readonly<WorkspaceSettings> {
    return this.config;
  }

  /** Calls `listener` on every `type` event; returns the function that stops it. */
  on<K extends keyof WorkspaceEventMap>(type: K, listener: (value: WorkspaceEventMap[K]) => void): () => void {
    const set = this.listeners[type] as Set<(value: WorkspaceEventMap[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Changes settings. Another VLM is loaded on the next question and another speech model on the
   * next transcription; the open video's transcript then follows the new speech model. `tools` and
   * `webSearch` apply to videos opened from then on.
   */
  configure(changes: Partial<WorkspaceSettings>): void {
    const before = this.config;
    this.config = { ...before, ...changes };
    if (before.model !== this.config.model || before.modelSource !== this.config.modelSource) void this.enginesMade?.resetVlm();
    if ((before.speech || SPEECH_MODEL_ID) !== (this.config.speech || SPEECH_MODEL_ID)) this.speechChanged();
    this.update({});
  }

  /** What the models panel shows about this device; checks the device on the first call. */
  deviceReport(): Promise<DeviceReport> {
    return this.picks.deviceReport();
  }

  /**
   * Opens a video file (a drop, the file picker, a fetched `src`). The latest of overlapping opens
   * wins; an earlier one's file is closed as soon as it has been read. `playUrl` is played instead
   * of an object URL of `blob`.
   */
  async openFile(blob: Blob, name: string, playUrl?: string): Promise<void> {
    this.throwIfDisposed();
    const id = ++this.opens;
    this.closeVideo();
    performance.mark('sage:open');
    const url = playUrl ?? URL.createObjectURL(blob);
    const frames = new FrameStore();
    this.update({ video: { id, name, url, file: null, duration: 0, frames }, status: `Reading ${name}…` });
    const engines = this.engines();
    let file: MediaFile;
    try {
      file = await engines.media.open(blob);
    } catch (error) {
      if (!playUrl) URL.revokeObjectURL(url);
      if (id !== this.opens) return;
      this.update({ video: null, status: '' });
      this.fail(toAppError(error), 'open');
      return;
    }
    if (id !== this.opens) {
      if (!playUrl) URL.revokeObjectURL(url);
      void file.dispose().catch(() => {});
      return;
    }
    const duration = file.probe.durationSeconds;
    const state = { id, name, url, file, duration, frames };
    const transcriptCache = new TranscriptCache();
    const abort = new AbortController();
    const video: OpenVideo = {
      state,
      blob,
      ownsUrl: !playUrl,
      uses: mediaUses(file.probe),
      transcriptCache,
      session: this.openSession({ state, transcriptCache, signal: abort.signal }, engines),
      abort,
      keeping: null,
    };
    this.open = video;
    this.update({ video: video.state, transcript: { ...EMPTY_TRANSCRIPT, duration } });
    this.keepTranscript(video);
    if (video.uses.frames) this.setProgress({ id: 'skim', label: 'Skimming the whole video' });
    this.showPhase(video, { kind: 'skimming' });
    video.session.then(
      (session) => {
        this.finishProgress('skim');
        this.showPhase(video, { kind: 'ready', skimFrames: session.video.skimFrames.length, skimFailure: session.skimFailure });
      },
      (error: unknown) => {
        this.finishProgress('skim');
        if (isCancelled(error) || this.open !== video) return;
        const failure = toAppError(error);
        this.fail(failure, 'open');
        this.showPhase(video, { kind: 'failed', error: failure });
      },
    );
  }

  /** Fetches a video (same-origin or CORS) and opens it; a URL already being fetched is not fetched again. */
  async openUrl(src: string, baseUrl: string): Promise<void> {
    this.throwIfDisposed();
    if (this.fetching === src) return;
    this.fetching = src;
    // A later open (another src, a drop) overtakes this fetch.
    const ticket = this.opens;
    const name = decodeURIComponent(new URL(src, baseUrl).pathname.split('/').pop() || 'video');
    this.announce(`Fetching ${name}…`);
    try {
      const response = await fetch(src);
      if (!response.ok) throw new AppError('not-media', `The video at ${src} could not be fetched (${response.status}).`);
      const blob = await response.blob();
      if (ticket === this.opens && !this.disposed) await this.openFile(blob, name, src);
    } catch (error) {
      if (ticket !== this.opens || this.disposed) return;
      this.announce('');
      this.fail(error instanceof AppError ? error : new AppError('not-media', `The video at ${src} could not be fetched.`, { cause: error }), 'open');
    } finally {
      if (this.fetching === src) this.fetching = null;
    }
  }

  /** Answers a question about the open video; resolves when the run has ended. Ignored while one runs. */
  async ask(text: string): Promise<void> {
    const question = text.trim();
    const video = this.open;
    if (!question || !video || !this.current.askable || this.running) return;
    const controller = new AbortController();
    this.running = controller;
    this.update({ asking: true, alert: null });
    try {
      const session = await video.session;
      // A video closed meanwhile takes its run with it: nothing of it reaches the next video.
      if (this.open !== video) return;
      this.emit('run-start', { question, duration: video.state.duration, skimFrames: session.video.skimFrames.length, frames: video.state.frames });
      for await (const event of session.ask(question, { signal: controller.signal })) {
        if (this.open !== video) break;
        this.emit('step', event);
        if (event.type === 'tool-result' && event.name === 'verbal_transcript') this.refreshTranscript(video);
        if (event.type === 'answer') this.update({ evidence: event.spans });
        if (event.type === 'error' && !isCancelled(event.error)) this.emit('error', { error: event.error, during: 'ask' });
      }
    } catch (error) {
      // Only the skim can fail here (the run itself reports failures as events).
      if (!isCancelled(error) && this.open === video) this.fail(toAppError(error), 'ask');
    } finally {
      if (this.running === controller) this.running = null;
      this.update({ asking: this.running !== null });
    }
  }

  /** Ends the running question. */
  stop(): void {
    this.running?.abort();
  }

  /** Transcribes the whole open video, window by window, skipping what is already transcribed. */
  async transcribeAll(): Promise<void> {
    const video = this.open;
    if (!video || this.transcribing) return;
    const controller = new AbortController();
    this.transcribing = controller;
    this.update({ transcribing: true });
    const signal = AbortSignal.any([controller.signal, video.abort.signal]);
    const duration = video.state.duration;
    try {
      for (let start = 0; start < duration; start += TRANSCRIBE_WINDOW_SECONDS) {
        const window = { start, end: Math.min(duration, start + TRANSCRIBE_WINDOW_SECONDS) };
        this.setProgress({ id: 'transcribe', label: 'Transcribing', done: start, total: duration, unit: 'seconds' });
        await verbalTranscript({ audio: video.state.file, transcriber: this.engines().speech, cache: video.transcriptCache }, window, { signal });
        this.refreshTranscript(video);
      }
      this.announce('The whole video is transcribed.');
    } catch (error) {
      if (!isCancelled(error)) this.fail(toAppError(error), 'transcribe');
    } finally {
      this.finishProgress('transcribe');
      if (this.transcribing === controller) this.transcribing = null;
      this.update({ transcribing: this.transcribing !== null });
      this.refreshTranscript(video);
    }
  }

  stopTranscribing(): void {
    this.transcribing?.abort();
  }

  /**
   * Forgets the open video's transcript, in this page and in the browser's storage (with the current
   * speech model). Transcription after this is kept again.
   */
  async forgetTranscript(): Promise<void> {
    const video = this.open;
    if (!video) return;
    this.emptyTranscript(video);
    try {
      await this.transcriptStore.remove(await transcriptKey(video.blob, this.transcriptParts(video)));
    } catch (error) {
      if (this.open === video) this.update({ transcript: { ...this.current.transcript, notice: toAppError(error).message } });
    }
    if (this.open === video) this.keepTranscript(video);
  }

  /** Puts a line in the status region (e.g. a step of the running question worth announcing). */
  announce(text: string): void {
    this.update({ status: text });
  }

  /** Shows a failure that happened outside the workspace, e.g. in a player reading the open file. */
  fail(error: AppError, during: ErrorStage): void {
    this.update({ alert: error });
    this.emit('error', { error, during });
  }

  /** Closes the video and ends every worker; idempotent. Opening a video afterwards rejects with `disposed`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.opens++;
    this.closeVideo();
    // Work still finishing after this (a fetch, a run's end, a model's load) changes nothing.
    this.disposed = true;
    this.transcriptStore.dispose();
    await this.enginesMade?.dispose();
    this.enginesMade = null;
  }

  /** The engines, made on the first open so a page that never opens a video starts no worker. */
  private engines(): AgentEngines {
    this.enginesMade ??= new AgentEngines(
      () => ({
        modelId: this.config.model || undefined,
        modelSource: this.config.modelSource || undefined,
        speechId: this.config.speech || undefined,
        modelBaseUrl: this.config.modelBaseUrl,
        capabilities: () => this.picks.capabilities(),
        choice: () => this.picks.choice(),
      }),
      {
        progress: (model, label, progress) => {
          if (!progress) this.finishProgress(model);
          else if ('fraction' in progress) this.setProgress({ id: model, label: `Loading ${label}`, done: progress.fraction, total: 1, unit: 'percent' });
          else this.setProgress({ id: model, label: `Loading ${label}`, done: progress.loaded, total: progress.total, unit: 'bytes', files: progress.files });
        },
        loaded: (model, state) => {
          if (model === 'vlm') this.update({ models: { ...this.current.models, vlm: state } });
          if (model === 'speech' && state.state === 'loading' && state.modelId) this.update({ models: { ...this.current.models, speechId: state.modelId } });
          if (state.state === 'loading') this.setProgress({ id: model, label: `Loading ${LOADING_LABELS[model]}` });
        },
        notice: (text) => {
          this.emit('notice', text);
          this.announce(text);
        },
      },
      this.options.factories ?? WORKER_FACTORIES,
    );
    return this.enginesMade;
  }

  private openSession(video: Pick<OpenVideo, 'state' | 'transcriptCache'> & { signal: AbortSignal }, engines: AgentEngines): Promise<AgentSession> {
    const { file } = video.state;
    // The orchestrator is looked up per call, so a model set after the drop is used at once.
    let opened: AgentSession | null = null;
    const current = (): ReasoningModel => {
      const model = this.config.orchestrator ?? (opened ? engines.vlmOrchestrator(opened.skim) : null);
      if (!model) throw new AppError('internal', 'The video is still being skimmed.');
      return model;
    };
    const orchestrator: ReasoningModel = {
      generate: (request: GenerateRequest) => current().generate(request),
      // A SAGE-MM export's own prompts, when the orchestrator's files carry them.
      promptPack: async () => current().promptPack?.(),
    };
    const tools = engines.tools({
      file,
      frameStore: video.state.frames,
      transcriptCache: video.transcriptCache,
      webSearch: this.config.webSearch,
      enabled: this.picks.enabledTools(),
    });
    const stage2 = stage2Model({
      override: () => this.config.orchestrator,
      // With no override in place, `orchestrator` is the VLM.
      vlm: orchestrator,
      choice: () => this.picks.reasonerChoice(),
      loadReasoner: (plan) => engines.reasoner(plan, tools),
      onFallback: (error) => {
        engines.dropReasoner();
        const text = `${error.message} The vision-language model does the step-by-step reasoning instead.`;
        this.emit('notice', text);
        this.announce(text);
      },
    });
    // A scripted orchestrator set by the host takes the default skim; the VLM its family's (the
    // default too when the choice cannot be made: the VLM's load then says why). A file with no
    // frames to skim waits for no choice.
    const skims = mediaUses(file.probe).frames && !this.config.orchestrator;
    const skimPlan = skims ? engines.stage1VideoPlan().catch(() => undefined) : Promise.resolve(undefined);
    const session = skimPlan.then((plan) =>
      AgentSession.open({
        media: file,
        videoName: video.state.name,
        orchestrator: { kind: 'model', stage1: orchestrator, stage2 },
        tools,
        ...(plan ? { skimPlan: plan } : {}),
        signal: video.signal,
      }),
    );
    return session.then((value) => (opened = value));
  }

  /** Restores what was transcribed of this file with the current speech model before (e.g. before a reload), and keeps new spans. */
  private keepTranscript(video: OpenVideo): void {
    video.keeping?.abort();
    const keeping = new AbortController();
    video.keeping = keeping;
    void keepTranscript(video.transcriptCache, {
      ...this.transcriptParts(video),
      store: this.transcriptStore,
      file: video.blob,
      signal: AbortSignal.any([keeping.signal, video.abort.signal]),
      onUnavailable: (error) => {
        if (this.open === video) this.update({ transcript: { ...this.current.transcript, notice: error.message } });
      },
    }).then(() => {
      if (!keeping.signal.aborted) this.refreshTranscript(video);
    });
  }

  /** What the open video's transcript is kept under, besides the file's own identity. */
  private transcriptParts(video: OpenVideo): TranscriptKeyParts {
    return { name: video.state.name, model: this.config.speech || SPEECH_MODEL_ID, language: undefined };
  }

  /** Another speech model gives other text: the open video's transcript starts over under its key. */
  private speechChanged(): void {
    void this.enginesMade?.resetSpeech();
    const video = this.open;
    if (!video) return;
    this.emptyTranscript(video);
    this.keepTranscript(video);
  }

  /** Stops transcribing and keeping the video's transcript, and empties it; `keepTranscript` starts keeping again. */
  private emptyTranscript(video: OpenVideo): void {
    this.transcribing?.abort();
    video.keeping?.abort();
    video.transcriptCache.clear();
    this.refreshTranscript(video);
  }

  private refreshTranscript(video = this.open): void {
    if (!video || this.open !== video) return;
    const cache = video.transcriptCache;
    this.update({
      transcript: {
        segments: cache.lookup({ start: 0, end: video.state.duration + 1 }),
        coveredSeconds: cache.coveredSpans().reduce((sum, span) => sum + span.end - span.start, 0),
        duration: video.state.duration,
        notice: this.current.transcript.notice,
      },
    });
  }

  private showPhase(video: OpenVideo, phase: OpenPhase): void {
    if (this.open !== video) return;
    const status = openStatus(video.uses, phase);
    this.update({ askable: status.askable, status: status.text });
  }

  private closeVideo(): void {
    this.running?.abort();
    this.transcribing?.abort();
    const video = this.open;
    this.open = null;
    this.update({ video: null, askable: false, alert: null, evidence: [], transcript: EMPTY_TRANSCRIPT, progress: this.current.progress.filter((row) => row.id !== 'skim') });
    if (!video) return;
    video.abort.abort();
    video.session.then((session) => session.dispose(), () => {});
    video.state.frames.clear();
    if (video.ownsUrl) URL.revokeObjectURL(video.state.url);
    const release = this.options.releaseVideo?.(video.state) ?? Promise.resolve();
    // Whatever reads the file stops first, then the file closes.
    void release
      .catch(() => {})
      .then(() => video.state.file.dispose())
      .catch(() => {});
  }

  private setProgress(row: ProgressRow): void {
    const rows = this.current.progress;
    const at = rows.findIndex((existing) => existing.id === row.id);
    this.update({ progress: at < 0 ? [...rows, row] : rows.map((existing, index) => (index === at ? row : existing)) });
  }

  private finishProgress(id: string): void {
    if (this.current.progress.some((row) => row.id === id)) this.update({ progress: this.current.progress.filter((row) => row.id !== id) });
  }

  private update(patch: Partial<WorkspaceState>): void {
    if (this.disposed) return;
    const previous = this.current;
    const vlmId = this.picks.modelId;
    const models = patch.models ?? previous.models;
    this.current = { ...previous, ...patch, models: models.vlmId === vlmId ? models : { ...models, vlmId } };
    this.emit('change', { state: this.current, previous });
  }

  private emit<K extends keyof WorkspaceEventMap>(type: K, value: WorkspaceEventMap[K]): void {
    if (this.disposed) return;
    for (const listener of this.listeners[type] as Set<(value: WorkspaceEventMap[K]) => void>) listener(value);
  }

  private throwIfDisposed(): void {
    if (this.disposed) throw disposedError('This video agent');
  }
}
