/**
 * What one `<sage-agent>` does, without any DOM: the open video and its session, questions and
 * Stop, "Transcribe all" (video-transcript.ts), and the models behind them. Everything the page
 * shows is one state object (workspace-state.ts), replaced slice by slice as work moves on; a run's
 * steps arrive as events. The element renders the state and forwards the events, and Node tests
 * drive the workspace with doubles.
 */
import { AppError, disposedError, isCancelled, toAppError } from '../core/errors';
import type { MediaFile } from '../media/media-client';
import { detectCapabilities, type DeviceCapabilities } from '../models/capabilities';
import { listCachedModels } from '../models/model-cache';
import { servedModelsAt, type ServedModels } from '../models/served-models';
import { modelSiteRoot } from '../models/site-root';
import { FrameStore } from '../tools';
import { TranscriptStore, type TranscriptStorage } from '../tools/transcript-store';
import { AgentEngines } from '../runtime/engines';
import { SPEECH_MODEL_ID, WORKER_FACTORIES, type CachedModels, type EngineFactories } from '../runtime/engine-contracts';
import { engineReports, engineSettings } from './engine-reports';
import { ModelPicks, NO_MODEL_SETTINGS, type DeviceReport } from './model-picks';
import { openStatus, type OpenPhase } from './open-status';
import { closeOpenVideo, fetchVideo, openVideo, videoNameAt, type OpenVideo } from './open-video';
import { openVideoSession } from './video-session';
import { questionEvents } from './question-run';
import { VideoTranscript } from './video-transcript';
import { readyVisionNote } from './vision-note';
import {
  EMPTY_TRANSCRIPT,
  initialState,
  withProgressRow,
  WorkspaceListeners,
  type ErrorStage,
  type ProgressRow,
  type VideoState,
  type WorkspaceEventMap,
  type WorkspaceSettings,
  type WorkspaceState,
} from './workspace-state';

export type { ProgressRow, VideoState, WorkspaceError, WorkspaceSettings, WorkspaceState } from './workspace-state';

export interface WorkspaceOptions {
  /** What starts the workers; tests pass doubles. */
  factories?: EngineFactories;
  transcriptStore?: TranscriptStorage;
  capabilities?: () => Promise<DeviceCapabilities>;
  served?: (siteRoot: string) => Promise<ServedModels>;
  /** Runs before a closed video's file is disposed, e.g. to stop a player that reads it. */
  releaseVideo?: (video: VideoState) => Promise<void>;
  /** The models this browser keeps (default: its caches, model-cache.ts; none where there are no caches). */
  cachedModels?: CachedModels;
}

export class Workspace {
  private current: WorkspaceState;
  private config: WorkspaceSettings = { ...NO_MODEL_SETTINGS, webSearch: undefined, modelBaseUrl: undefined, orchestrator: undefined, speechOnly: false };
  private readonly listeners = new WorkspaceListeners();
  private readonly picks: ModelPicks;
  private readonly transcriptStore: TranscriptStorage;
  private readonly transcript: VideoTranscript;
  private enginesMade: AgentEngines | null = null;
  private open: OpenVideo | null = null;
  /** Counts opens, so an open overtaken by a later one drops its file. */
  private opens = 0;
  /** The URL being fetched, so asking for it twice fetches it once. */
  private fetching: string | null = null;
  private running: AbortController | null = null;
  private disposed = false;

  constructor(private readonly options: WorkspaceOptions = {}) {
    this.transcriptStore = options.transcriptStore ?? new TranscriptStore();
    this.picks = new ModelPicks({
      settings: () => this.config,
      capabilities: options.capabilities ?? detectCapabilities,
      served: () => (options.served ?? servedModelsAt)(modelSiteRoot(this.config.modelBaseUrl)),
      onChosen: () => this.update({}),
    });
    this.current = initialState(this.picks.modelId);
    this.transcript = new VideoTranscript(
      {
        video: () => this.open,
        state: () => this.current,
        update: (patch) => this.update(patch),
        setProgress: (row) => this.setProgress(row),
        finishProgress: (id) => this.finishProgress(id),
        announce: (text) => this.announce(text),
        fail: (error, during) => this.fail(error, during),
        speech: () => this.engines().speech,
        speechModel: () => this.speechModel(),
      },
      this.transcriptStore,
    );
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
    return this.listeners.add(type, listener);
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
    const context = { engines, settings: () => this.config, picks: this.picks, notice: (text: string) => this.notice(text) };
    const video = openVideo({ id, name, url, file, duration, frames }, blob, !playUrl, (opened) => openVideoSession(opened, context));
    this.open = video;
    this.update({ video: video.state, transcript: { ...EMPTY_TRANSCRIPT, duration } });
    this.transcript.keep(video);
    if (video.uses.frames) this.setProgress({ id: 'skim', label: 'Skimming the whole video' });
    this.showPhase(video, { kind: 'skimming' });
    video.session.then(
      (session) => {
        this.finishProgress('skim');
        if (this.open === video) this.update({ skim: session.video.skimFrames });
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
    const name = videoNameAt(src, baseUrl);
    this.announce(`Fetching ${name}…`);
    try {
      const blob = await fetchVideo(src);
      if (ticket === this.opens && !this.disposed) await this.openFile(blob, name, src);
    } catch (error) {
      if (ticket !== this.opens || this.disposed) return;
      this.announce('');
      this.fail(toAppError(error), 'open');
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
      const engines = this.engines();
      const events = questionEvents({
        question,
        session,
        engines,
        audio: video.state.file,
        transcriptCache: video.transcriptCache,
        hostOrchestrator: this.config.orchestrator !== undefined,
        speechOnly: this.config.speechOnly,
        writer: () => engines.textWriter(this.cachedModels),
        signal: controller.signal,
      });
      for await (const event of events) {
        if (this.open !== video) break;
        this.emit('step', event);
        if (event.type === 'tool-result' && event.name === 'verbal_transcript') this.transcript.refresh(video);
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

  /**
   * Asks `question` again with vision: the vision model's kept load failure is forgotten, so this
   * question loads it again (the "Retry with vision" of an answer from the speech).
   */
  async retryWithVision(question: string): Promise<void> {
    this.enginesMade?.retryVision();
    await this.ask(question);
  }

  /** Ends the running question. */
  stop(): void {
    this.running?.abort();
  }

  /** Transcribes the whole open video, window by window, skipping what is already transcribed. */
  transcribeAll(): Promise<void> {
    return this.transcript.transcribeAll();
  }

  stopTranscribing(): void {
    this.transcript.stopTranscribing();
  }

  /**
   * Forgets the open video's transcript, in this page and in the browser's storage (with the current
   * speech model). Transcription after this is kept again.
   */
  async forgetTranscript(): Promise<void> {
    if (this.open) await this.transcript.forget(this.open);
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
      engineSettings(() => this.config, this.picks),
      engineReports({
        setProgress: (row) => this.setProgress(row),
        finishProgress: (id) => this.finishProgress(id),
        models: () => this.current.models,
        setModels: (models) => this.update({ models }),
        notice: (text) => this.notice(text),
      }),
      this.options.factories ?? WORKER_FACTORIES,
    );
    return this.enginesMade;
  }

  private speechModel(): string {
    return this.config.speech || SPEECH_MODEL_ID;
  }

  /** Another speech model gives other text: the open video's transcript starts over under its key. */
  private speechChanged(): void {
    void this.enginesMade?.resetSpeech();
    if (this.open) this.transcript.restart(this.open);
  }

  /** Something the person should know that is not an error: a line in the run's steps and the status region. */
  private notice(text: string): void {
    this.emit('notice', text);
    this.announce(text);
  }

  private showPhase(video: OpenVideo, phase: OpenPhase): void {
    if (this.open !== video) return;
    const status = openStatus(video.uses, phase);
    this.update({ askable: status.askable, status: status.text });
    if (phase.kind === 'ready' && status.askable) void this.addVisionNote(video, status.text);
  }

  private readonly cachedModels: CachedModels = () =>
    this.options.cachedModels?.() ?? (typeof caches === 'undefined' ? Promise.resolve([]) : listCachedModels());

  /**
   * At "Ready", when the vision model is not stored: what the first question will download, or (offline)
   * that questions use the speech. Added only while the status still says "Ready".
   */
  private async addVisionNote(video: OpenVideo, readyText: string): Promise<void> {
    if (this.config.orchestrator || this.config.speechOnly) return;
    try {
      const note = await readyVisionNote(this.engines(), this.cachedModels);
      if (note && this.open === video && this.current.status === readyText) this.update({ status: `${readyText} ${note}` });
    } catch {
      // Without a device check or the caches the status says only what it said.
    }
  }

  private closeVideo(): void {
    this.running?.abort();
    this.transcript.stopTranscribing();
    const video = this.open;
    this.open = null;
    this.update({ video: null, askable: false, alert: null, evidence: [], skim: [], transcript: EMPTY_TRANSCRIPT, progress: this.current.progress.filter((row) => row.id !== 'skim') });
    // Whatever reads the file stops first, then the file closes.
    if (video) closeOpenVideo(video, this.options.releaseVideo?.(video.state) ?? Promise.resolve());
  }

  private setProgress(row: ProgressRow): void {
    this.update({ progress: withProgressRow(this.current.progress, row) });
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
    this.listeners.call(type, value);
  }

  private throwIfDisposed(): void {
    if (this.disposed) throw disposedError('This video agent');
  }
}
