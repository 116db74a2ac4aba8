/**
 * `<sage-agent>`: drop a video, ask about it, watch the agent work. The full page and the embeddable
 * widget are this one element; everything it shows lives in its shadow root, so host-page styles
 * and its own never meet.
 */
import type { AgentEvent, AnswerEvent } from '../agent/events';
import { isToolName, type ToolName } from '../core/protocol';
import { AgentSession } from '../agent/session';
import type { GenerateRequest, ReasoningModel, TimeSpan } from '../core/contracts';
import { AppError, isAppError, isCancelled, toAppError } from '../core/errors';
import type { MediaFile } from '../media/media-client';
import { mediaUses } from '../media/media-uses';
import type { ProbeResult } from '../media/types';
import { DEFAULT_VLM_ID } from '../models/registry';
import { FrameStore, type WebSearchProvider } from '../tools';
import { TranscriptCache } from '../tools/transcript-cache';
import { keepTranscript, TranscriptStore } from '../tools/transcript-store';
import { verbalTranscript } from '../tools/verbal-transcript';
import { detectCapabilities, type DeviceCapabilities } from '../models/capabilities';
import { chooseModels, type ModelChoice, type ModelOverrides } from '../models/chooser';
import { parseModelSource } from '../models/model-source';
import { servedModelsAt, type ServedModels } from '../models/served-models';
import { h } from './dom';
import { AgentEngines, SPEECH_MODEL_ID, modelSiteRoot, type EngineModel, type LoadState } from '../runtime/engines';
import { formatClock } from './format';
import { formatBytes } from '../core/units';
import { ProgressView } from './progress-view';
import { RunView } from './run-view';
import { stage2Model } from '../runtime/stage2';
import { SETTINGS_CHANGE, SettingsPanel, type SettingsChange } from './settings-panel';
import css from './sage-agent.css?inline';
import { FramePlayer } from './frame-player';
import { openStatus, type OpenPhase } from './open-status';
import { checkElementPlayback, choosePlayback, type PlaybackChoice } from './playback';
import { markerLayout } from './timeline';
import { TRANSCRIBE_TOGGLE, TranscriptPanel } from './transcript-panel';

export type ErrorStage = 'open' | 'ask' | 'transcribe';

export interface SageAgentErrorDetail {
  error: AppError;
  /** What the person was doing when it failed. */
  during: ErrorStage;
}

/** Events `<sage-agent>` dispatches, prefixed so they never meet the DOM's own (`error`). */
export interface SageAgentEventMap {
  /** Every agent event of a question, as it happens (the answer too). */
  'sage-step': CustomEvent<AgentEvent>;
  'sage-answer': CustomEvent<AnswerEvent>;
  'sage-error': CustomEvent<SageAgentErrorDetail>;
}

/** "Transcribe all" works through the video in windows this long, so progress shows and Stop is quick. */
export const TRANSCRIBE_WINDOW_SECONDS = 300;

/** What a progress row says while a model's load has not reported any progress yet. */
const LOADING_LABELS: Record<EngineModel, string> = {
  speech: 'speech recognition',
  vlm: 'the vision-language model',
  reasoner: 'the text reasoner',
};

interface OpenVideo {
  name: string;
  file: MediaFile;
  /** The player's source: an object URL (revoked on close) or the `src` attribute's URL. */
  url: string;
  ownsUrl: boolean;
  duration: number;
  frameStore: FrameStore;
  transcriptCache: TranscriptCache;
  session: Promise<AgentSession>;
  /** Ends the skim and any transcription of this video. */
  abort: AbortController;
  /** False once it is known that no question about this file can be answered. */
  askable: boolean;
  /** Shows the file where the `<video>` element cannot play it. */
  framePlayer: FramePlayer | null;
}

let sheet: CSSStyleSheet | null = null;

/** One constructed sheet shared by every instance; no <style> element, so no 'unsafe-inline' under CSP. */
function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

/**
 * The public contract (the README's "Embedding" table says the same):
 *
 * Attributes (all observed, so a host may change them at any time):
 * - `src`: a video URL to open instead of a drop (fetched whole: same-origin or CORS).
 * - `model`: registry id of the VLM; absent, the chooser's pick for this device.
 * - `model-source`: where to load that VLM from instead (`owner/name` on the Hub, `./models/folder`).
 * - `tools`: comma list of tool names to offer; absent, all. Read when a video is opened.
 * - `speech`: registry id of a speech model served with the app; absent, Whisper base.
 * - `reasoner`: registry id of a web-llm text reasoner for Stage 2, or `off`; absent, the chooser's.
 *
 * Properties: `webSearch`, `modelBaseUrl`, `orchestrator` (below); methods `openVideo`, `ask`, `seek`.
 *
 * Events (`SageAgentEventMap`, typed on `HTMLElementEventMap`): `sage-step`, `sage-answer`, `sage-error`.
 *
 * Parts: `app`, the whole widget, for a host's `::part(app)` rules.
 */
export class SageAgentElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'model', 'model-source', 'tools', 'speech', 'reasoner'];

  /** Enables `unified_web_search` and `parse_web_data` for videos opened from now on. */
  webSearch: WebSearchProvider | undefined;
  /** Where the app's `models/` folder is served from; by default next to this script. */
  modelBaseUrl: string | undefined;
  /** Replaces the VLM as orchestrator (both stages): a host's own model, or a scripted one in tests. */
  orchestrator: ReasoningModel | undefined;

  private readonly root: ShadowRoot;
  private engines: AgentEngines | null = null;
  private video: OpenVideo | null = null;
  private running: AbortController | null = null;
  /** Counts `openVideo` calls, so an open overtaken by a later one drops its file. */
  private opens = 0;
  /** The `src` being fetched, so the upgrade's attribute callback and connectedCallback fetch it once. */
  private fetchingSrc: string | null = null;
  /** The run view of the question being answered, for notices from outside its events. */
  private runView: RunView | null = null;
  private transcribing: AbortController | null = null;
  private capabilities: Promise<DeviceCapabilities> | null = null;
  private choice: Promise<ModelChoice> | null = null;
  /** The chooser's result once known; `modelId` reads it synchronously. */
  private chosen: ModelChoice | null = null;

  private readonly fileInput = h('input', { type: 'file', accept: 'video/*,audio/*', class: 'file' });
  private readonly drop = h('label', { class: 'drop' }, this.fileInput, h('span', {}, 'Drop a video here, or ', h('u', {}, 'choose one')));
  private readonly alert = h('p', { class: 'alert', role: 'alert', hidden: true });
  private readonly player = h('video', { controls: true, playsinline: true, preload: 'auto', hidden: true });
  /** Where the frame player goes, in the `<video>` element's place. */
  private readonly playerSlot = h('div', { class: 'player-slot' });
  /** Why the `<video>` element is not the player, when it is not. */
  private readonly playerNote = h('p', { class: 'player-note muted', hidden: true });
  private readonly track = h('div', { class: 'track' });
  private readonly playhead = h('div', { class: 'playhead' });
  private readonly timeline = h('div', { class: 'timeline', hidden: true }, h('span', { class: 'muted timeline-label' }, 'Evidence'), this.track);
  private readonly details = h('dl', { class: 'details', hidden: true });
  private readonly progress = new ProgressView();
  private readonly log = h('ol', { class: 'log', 'aria-label': 'Questions and answers' });
  private readonly question = h('input', {
    type: 'text',
    name: 'question',
    autocomplete: 'off',
    placeholder: 'Open a video, then ask about it',
    'aria-label': 'Question about the video',
    disabled: true,
  });
  private readonly askButton = h('button', { type: 'submit', disabled: true }, 'Ask');
  private readonly stopButton = h('button', { type: 'button', class: 'stop', hidden: true }, 'Stop');
  private readonly status = h('p', { class: 'status muted', role: 'status' });
  private readonly transcript = new TranscriptPanel();
  private readonly settings = new SettingsPanel(DEFAULT_VLM_ID, SPEECH_MODEL_ID);
  private readonly transcriptStore = new TranscriptStore();

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.adoptedStyleSheets = [styles()];
    this.track.append(this.playhead);
    const form = h('form', { class: 'ask' }, this.question, this.askButton, this.stopButton);
    this.root.append(
      h(
        'div',
        { class: 'app', part: 'app' },
        h('header', {}, h('p', { class: 'title' }, 'SAGE video agent'), h('p', { class: 'lede muted' }, 'Ask about a long video. Everything runs in this browser; nothing is uploaded.')),
        this.drop,
        this.alert,
        h(
          'div',
          { class: 'columns' },
          h('section', { class: 'media', 'aria-label': 'Video' }, this.player, this.playerSlot, this.playerNote, this.timeline, this.details, this.progress.element),
          h('section', { class: 'chat', 'aria-label': 'Questions' }, this.log, form, this.status),
        ),
        this.transcript.element,
        this.settings.element,
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.ask(this.question.value);
    });
    this.stopButton.addEventListener('click', () => this.running?.abort());
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.openVideo(file, file.name);
      this.fileInput.value = '';
    });
    this.root.addEventListener('click', (event) => {
      const target = (event.target as Element).closest<HTMLElement>('[data-seek]');
      if (target) this.seek(Number(target.dataset.seek));
    });
    this.player.addEventListener('timeupdate', () => this.movePlayhead(this.player.currentTime));
    // Chromium's player fails some files outright and opens others (MPEG-TS) as sound only.
    for (const type of ['error', 'loadedmetadata']) this.player.addEventListener(type, () => this.checkPlayer());
    this.transcript.element.addEventListener(TRANSCRIBE_TOGGLE, () => void this.toggleTranscribeAll());
    // The panel reports choices; attributes are the one source of truth, reflected back below.
    this.settings.element.addEventListener(SETTINGS_CHANGE, (event) => {
      const { attribute, value } = (event as CustomEvent<SettingsChange>).detail;
      if (value === null) this.removeAttribute(attribute);
      else this.setAttribute(attribute, value);
    });
    this.reflectSettings();
    this.settings.element.addEventListener('toggle', () => {
      if (!this.settings.element.open) return;
      void this.showDevice();
      void this.settings.refreshStored();
    });
    this.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.drop.classList.add('dragging');
    });
    this.addEventListener('dragleave', () => this.drop.classList.remove('dragging'));
    this.addEventListener('drop', (event) => {
      event.preventDefault();
      this.drop.classList.remove('dragging');
      const file = event.dataTransfer?.files[0];
      if (file) void this.openVideo(file, file.name);
    });
  }

  connectedCallback(): void {
    this.settings.showVlmState({ state: 'idle' });
    const src = this.getAttribute('src');
    if (src && !this.video) void this.openUrl(src);
  }

  disconnectedCallback(): void {
    // Moving the element re-connects it in the same task; only a real removal frees the workers.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.closeVideo();
      void this.engines?.dispose();
      this.engines = null;
      this.transcriptStore.dispose();
    });
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value) return;
    if (name === 'src' && value && this.isConnected) void this.openUrl(value);
    this.reflectSettings();
    if (name === 'model' || name === 'model-source') {
      this.settings.choose(this.modelId);
      if (this.settings.element.open) void this.showDevice();
      void this.engines?.resetVlm();
    }
    // The next transcription loads the speech model now named; Stage 2 reads `reasoner` per run.
    if (name === 'speech') void this.engines?.resetSpeech();
  }

  private reflectSettings(): void {
    this.settings.reflect({ 'model-source': this.getAttribute('model-source'), speech: this.getAttribute('speech'), reasoner: this.getAttribute('reasoner') });
  }

  /**
   * Registry id of the VLM: the `model` attribute, else the chooser's pick for this device. Until
   * the device has been checked (on the first question or when settings open) that pick is unknown
   * and the registry default stands in.
   */
  get modelId(): string {
    return this.getAttribute('model') || this.chosen?.orchestrator.entry.id || DEFAULT_VLM_ID;
  }

  /** Tools named in the `tools` attribute, or undefined (all) when it is absent. */
  get enabledTools(): ToolName[] | undefined {
    const list = this.getAttribute('tools');
    if (list === null) return undefined;
    return list
      .split(',')
      .map((name) => name.trim())
      .filter(isToolName);
  }

  /** Opens a video file (what a drop or the file picker does). The latest of overlapping opens wins. */
  async openVideo(blob: Blob, name: string, playUrl?: string): Promise<void> {
    const ticket = ++this.opens;
    this.closeVideo();
    performance.mark('sage:open');
    const url = playUrl ?? URL.createObjectURL(blob);
    this.player.src = url;
    this.player.hidden = false;
    this.player.requestVideoFrameCallback(() => performance.mark('sage:first-frame'));
    this.say(`Reading ${name}…`);
    const engines = this.ensureEngines();
    let file: MediaFile;
    try {
      file = await engines.media.open(blob);
    } catch (error) {
      if (ticket !== this.opens) return;
      this.player.removeAttribute('src');
      this.player.hidden = true;
      if (!playUrl) URL.revokeObjectURL(url);
      this.fail(toAppError(error), 'open');
      this.say('');
      return;
    }
    if (ticket !== this.opens) {
      // A later open has taken over the player; this file is no longer wanted.
      if (!playUrl) URL.revokeObjectURL(url);
      void file.dispose().catch(() => {});
      return;
    }
    const abort = new AbortController();
    const frameStore = new FrameStore();
    const transcriptCache = new TranscriptCache();
    const duration = file.probe.durationSeconds;
    // The orchestrator is looked up per call, so a model set after the drop is used at once.
    const skimHolder: { session: AgentSession | null } = { session: null };
    const current = (): ReasoningModel => {
      const model = this.orchestrator ?? (skimHolder.session ? engines.vlmOrchestrator(skimHolder.session.skim) : null);
      if (!model) throw new AppError('internal', 'The video is still being skimmed.');
      return model;
    };
    const orchestrator: ReasoningModel = {
      generate: (request: GenerateRequest) => current().generate(request),
      // A SAGE-MM export's own prompts, when the orchestrator's files carry them.
      promptPack: async () => current().promptPack?.(),
    };
    const tools = engines.tools({ file, frameStore, transcriptCache, webSearch: this.webSearch, enabled: this.enabledTools });
    const stage2 = stage2Model({
      override: () => this.orchestrator,
      // With no override in place, `orchestrator` is the VLM.
      vlm: orchestrator,
      choice: () => this.reasonerChoice(),
      loadReasoner: (plan) => engines.reasoner(plan, tools),
      onFallback: (error) => {
        engines.dropReasoner();
        this.reasonerFellBack(error);
      },
    });
    const session = AgentSession.open({
      media: file,
      videoName: name,
      orchestrator: { kind: 'model', stage1: orchestrator, stage2 },
      tools,
      signal: abort.signal,
    });
    const video: OpenVideo = {
      name, file, url, ownsUrl: !playUrl, duration, frameStore, transcriptCache, session, abort, askable: true, framePlayer: null,
    };
    this.video = video;
    const playback = choosePlayback(file.probe, (type) => this.player.canPlayType(type));
    if (playback.mode !== 'element') this.usePlayer(video, playback);
    else this.checkPlayer();
    this.showDetails(name, file.probe);
    this.transcript.reset(name, duration);
    // What was transcribed of this file before (e.g. before a reload) comes back; new spans are kept as they finish.
    void keepTranscript(transcriptCache, {
      store: this.transcriptStore,
      file: blob,
      name,
      model: this.getAttribute('speech') || SPEECH_MODEL_ID,
      language: undefined,
      signal: abort.signal,
      onUnavailable: (error) => {
        if (this.video === video) this.transcript.notice(error.message);
      },
    }).then(() => {
      if (this.video === video) this.refreshTranscript();
    });
    const uses = mediaUses(file.probe);
    const show = (phase: OpenPhase) => {
      if (this.video !== video) return;
      const status = openStatus(uses, phase);
      video.askable = status.askable;
      this.setBusy(this.running !== null);
      this.say(status.text);
    };
    this.question.placeholder = 'Ask about the video (Enter sends)';
    if (uses.frames) this.progress.update({ id: 'skim', label: 'Skimming the whole video' });
    show({ kind: 'skimming' });
    session.then(
      (opened) => {
        skimHolder.session = opened;
        this.progress.finish('skim');
        show({ kind: 'ready', skimFrames: opened.video.skimFrames.length, skimFailure: opened.skimFailure });
      },
      (error: unknown) => {
        this.progress.finish('skim');
        if (isCancelled(error) || this.video !== video) return;
        const failure = toAppError(error);
        this.fail(failure, 'open');
        show({ kind: 'failed', error: failure });
      },
    );
  }

  /** Asks a question about the open video; resolves when the run has ended. */
  async ask(text: string): Promise<void> {
    const question = text.trim();
    const video = this.video;
    if (!question || !video?.askable || this.running) return;
    const controller = new AbortController();
    this.running = controller;
    this.setBusy(true);
    this.question.value = '';
    this.clearAlert();
    let view: RunView | null = null;
    try {
      const session = await video.session;
      view = new RunView(question, { duration: video.duration, skimFrames: session.video.skimFrames.length, frames: video.frameStore });
      this.runView = view;
      this.log.append(view.element);
      for await (const event of session.ask(question, { signal: controller.signal })) {
        const announce = view.add(event);
        if (announce) this.say(announce);
        view.element.scrollIntoView({ block: 'end', behavior: 'smooth' });
        this.emit('sage-step', event);
        if (event.type === 'tool-result' && event.name === 'verbal_transcript') this.refreshTranscript();
        if (event.type === 'answer') {
          this.showEvidence(event.spans);
          this.emit('sage-answer', event);
        }
        if (event.type === 'error' && !isCancelled(event.error)) this.emit('sage-error', { error: event.error, during: 'ask' });
      }
    } catch (error) {
      // Only the skim can fail here (the run itself reports failures as events).
      if (!isCancelled(error)) this.fail(toAppError(error), 'ask');
    } finally {
      if (this.running === controller) {
        this.running = null;
        this.runView = null;
      }
      this.setBusy(false);
      if (this.video === video) this.question.focus();
    }
  }

  /** Plays from `seconds`. */
  seek(seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const framePlayer = this.video?.framePlayer;
    if (framePlayer) {
      void framePlayer.seek(seconds).then(() => framePlayer.play());
      return;
    }
    if (this.player.hidden) return;
    this.player.currentTime = seconds;
    void this.player.play().catch(() => {});
  }

  /** Once the `<video>` element has tried the open file: the frame player takes over if it failed. */
  private checkPlayer(): void {
    const video = this.video;
    if (!video || video.framePlayer || this.player.hidden) return;
    // Until the element has read the file's metadata or failed, there is nothing to judge.
    if (!this.player.error && this.player.readyState < HTMLMediaElement.HAVE_METADATA) return;
    const fallback = checkElementPlayback(video.file.probe, this.player);
    if (fallback) this.usePlayer(video, fallback);
  }

  /** Shows `video` with the frame player (or with neither player), and says why. */
  private usePlayer(video: OpenVideo, choice: PlaybackChoice): void {
    this.player.removeAttribute('src');
    this.player.load();
    this.player.hidden = true;
    this.playerNote.textContent = choice.reason;
    this.playerNote.hidden = choice.reason === null;
    if (choice.mode !== 'frames') return;
    const framePlayer = new FramePlayer();
    video.framePlayer = framePlayer;
    framePlayer.element.addEventListener('timeupdate', () => this.movePlayhead(framePlayer.currentTime));
    framePlayer.element.addEventListener('error', (event) => {
      if (event instanceof CustomEvent && isAppError(event.detail)) this.fail(event.detail, 'open');
    });
    this.playerSlot.replaceChildren(framePlayer.element);
    framePlayer.load(video.file).catch((error: unknown) => {
      if (this.video === video) this.fail(toAppError(error), 'open');
    });
  }

  private async openUrl(src: string): Promise<void> {
    if (this.fetchingSrc === src) return;
    this.fetchingSrc = src;
    const name = decodeURIComponent(new URL(src, document.baseURI).pathname.split('/').pop() || 'video');
    this.say(`Fetching ${name}…`);
    try {
      const response = await fetch(src);
      if (!response.ok) throw new AppError('not-media', `The video at ${src} could not be fetched (${response.status}).`);
      await this.openVideo(await response.blob(), name, src);
    } catch (error) {
      this.say('');
      this.fail(isAppError(error) ? error : new AppError('not-media', `The video at ${src} could not be fetched.`, { cause: error }), 'open');
    } finally {
      if (this.fetchingSrc === src) this.fetchingSrc = null;
    }
  }

  private ensureEngines(): AgentEngines {
    this.engines ??= new AgentEngines(
      () => ({
        modelId: this.getAttribute('model') || undefined,
        modelSource: this.getAttribute('model-source') || undefined,
        speechId: this.getAttribute('speech') || undefined,
        modelBaseUrl: this.modelBaseUrl,
        capabilities: () => this.deviceCapabilities(),
        choice: () => this.modelChoice(),
      }),
      {
        progress: (model, label, progress) => {
          if (!progress) this.progress.finish(model);
          else if ('fraction' in progress) this.progress.update({ id: model, label: `Loading ${label}`, done: progress.fraction, total: 1, unit: 'percent' });
          else this.progress.update({ id: model, label: `Loading ${label}`, done: progress.loaded, total: progress.total, unit: 'bytes', files: progress.files });
        },
        loaded: (model, state: LoadState) => {
          if (model === 'vlm') this.settings.showVlmState(state);
          if (model === 'speech' && state.state === 'loading' && state.modelId) this.settings.useSpeech(state.modelId);
          if (state.state === 'loading') this.progress.update({ id: model, label: `Loading ${LOADING_LABELS[model]}` });
        },
        notice: (text) => this.notify(text),
      },
    );
    return this.engines;
  }

  /**
   * The choice Stage 2 follows: a hand-picked VLM changes what fits next to it, and the `reasoner`
   * attribute (a registry id, or 'off') overrides the chooser's pick.
   */
  private async reasonerChoice(): Promise<ModelChoice> {
    const reasoner = this.getAttribute('reasoner');
    if (!this.getAttribute('model') && !reasoner) return this.modelChoice();
    const [capabilities, served] = await Promise.all([this.deviceCapabilities(), this.servedModels()]);
    const overrides = {
      ...this.pickedModel(),
      ...(reasoner ? { reasoner: reasoner === 'off' ? null : reasoner } : {}),
    };
    return chooseModels(capabilities, overrides, { served });
  }

  private reasonerFellBack(error: AppError): void {
    this.notify(`${error.message} The vision-language model does the step-by-step reasoning instead.`);
  }

  /** A notice in the running question's steps, also read out to screen readers. */
  private notify(text: string): void {
    this.runView?.notice(text);
    this.say(text);
  }

  private deviceCapabilities(): Promise<DeviceCapabilities> {
    this.capabilities ??= detectCapabilities();
    return this.capabilities;
  }

  /** What the site serves itself, which the chooser prefers. */
  private servedModels(): Promise<ServedModels> {
    return servedModelsAt(modelSiteRoot(this.modelBaseUrl));
  }

  private modelChoice(): Promise<ModelChoice> {
    this.choice ??= Promise.all([this.deviceCapabilities(), this.servedModels()]).then(([capabilities, served]) => {
      this.chosen = chooseModels(capabilities, {}, { served });
      this.settings.choose(this.modelId);
      return this.chosen;
    });
    return this.choice;
  }

  private async showDevice(): Promise<void> {
    const [capabilities, choice, served] = await Promise.all([this.deviceCapabilities(), this.modelChoice(), this.servedModels()]);
    // A model picked by hand gets the chooser's word on it too (e.g. that it may not fit).
    const picked = this.pickedModel();
    this.settings.showServed(served);
    this.settings.showDevice(capabilities, picked.orchestrator ? chooseModels(capabilities, picked, { served }).notes : choice.notes);
  }

  /** The `model` and `model-source` attributes as chooser overrides (a bad source is left to the load to report). */
  private pickedModel(): ModelOverrides {
    const orchestrator = this.getAttribute('model');
    if (!orchestrator) return {};
    const source = this.getAttribute('model-source');
    if (!source) return { orchestrator };
    try {
      return { orchestrator, orchestratorSource: parseModelSource(source) };
    } catch {
      return { orchestrator };
    }
  }

  private closeVideo(): void {
    this.running?.abort();
    this.transcribing?.abort();
    const video = this.video;
    this.video = null;
    this.showEvidence([]);
    this.clearAlert();
    this.log.replaceChildren();
    this.details.hidden = true;
    this.progress.finish('skim');
    this.setBusy(false);
    if (!video) return;
    video.abort.abort();
    video.session.then((session) => session.dispose(), () => {});
    video.frameStore.clear();
    if (video.ownsUrl) URL.revokeObjectURL(video.url);
    this.playerSlot.replaceChildren();
    this.playerNote.hidden = true;
    // The frame player reads the file, so the file closes after it has stopped.
    void (video.framePlayer?.dispose() ?? Promise.resolve()).then(() => video.file.dispose()).catch(() => {});
  }

  private async toggleTranscribeAll(): Promise<void> {
    if (this.transcribing) {
      this.transcribing.abort();
      return;
    }
    const video = this.video;
    if (!video) return;
    const controller = new AbortController();
    this.transcribing = controller;
    this.transcript.showTranscribing(true);
    const signal = AbortSignal.any([controller.signal, video.abort.signal]);
    try {
      for (let start = 0; start < video.duration; start += TRANSCRIBE_WINDOW_SECONDS) {
        const window = { start, end: Math.min(video.duration, start + TRANSCRIBE_WINDOW_SECONDS) };
        this.progress.update({ id: 'transcribe', label: 'Transcribing', done: start, total: video.duration, unit: 'seconds' });
        await verbalTranscript({ audio: video.file, transcriber: this.engines!.speech, cache: video.transcriptCache }, window, { signal });
        if (this.video === video) this.refreshTranscript();
      }
      this.say('The whole video is transcribed.');
    } catch (error) {
      if (!isCancelled(error)) this.fail(toAppError(error), 'transcribe');
    } finally {
      this.progress.finish('transcribe');
      this.transcribing = null;
      this.transcript.showTranscribing(false);
      if (this.video === video) this.refreshTranscript();
    }
  }

  private refreshTranscript(): void {
    const video = this.video;
    if (!video) return;
    const covered = video.transcriptCache.coveredSpans().reduce((sum, span) => sum + span.end - span.start, 0);
    this.transcript.show({
      segments: video.transcriptCache.lookup({ start: 0, end: video.duration + 1 }),
      coveredSeconds: covered,
      duration: video.duration,
    });
  }

  private showDetails(name: string, probe: ProbeResult): void {
    const rows: Array<[string, string]> = [
      ['File', `${name} (${formatBytes(probe.fileSize)}, ${probe.container})`],
      ['Duration', formatClock(probe.durationSeconds)],
    ];
    const v = probe.video;
    if (v) {
      const rate = v.frameRate > 0 ? ` · ${v.frameRate.toFixed(v.frameRate % 1 === 0 ? 0 : 2)} fps${v.variableFrameRate ? ' (variable)' : ''}` : '';
      rows.push(['Video', `${v.displayWidth}×${v.displayHeight}${rate} · ${v.codec ?? 'unknown codec'}${v.decodable ? '' : ' (cannot be decoded here)'}`]);
    }
    const a = probe.audio;
    rows.push([
      'Audio',
      a ? `${a.codec ?? 'unknown codec'} · ${a.sampleRate / 1000} kHz · ${a.channels === 1 ? 'mono' : `${a.channels} channels`}${a.decodable ? '' : ' (cannot be decoded here)'}` : 'none',
    ]);
    const uses = mediaUses(probe);
    if (uses.cutShort) rows.push(['Readable', `the first ${formatClock(uses.readableSeconds)} (the file is incomplete)`]);
    this.details.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
    this.details.hidden = false;
  }

  private showEvidence(spans: readonly TimeSpan[]): void {
    const duration = this.video?.duration ?? 0;
    this.timeline.hidden = !this.video;
    const markers = markerLayout(spans, duration).map((marker) => {
      const button = h('button', {
        type: 'button',
        class: 'marker',
        'data-seek': marker.start,
        title: `Evidence at ${formatClock(marker.start)}`,
        'aria-label': `Evidence at ${formatClock(marker.start)}`,
      });
      // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
      button.style.left = `${marker.left * 100}%`;
      button.style.width = `${marker.width * 100}%`;
      return button;
    });
    this.track.replaceChildren(this.playhead, ...markers);
  }

  private movePlayhead(currentTime: number): void {
    const duration = this.video?.duration ?? 0;
    if (duration > 0) this.playhead.style.left = `${Math.min(1, currentTime / duration) * 100}%`;
  }

  private setBusy(busy: boolean): void {
    const ready = this.video?.askable === true;
    this.question.disabled = !ready;
    this.askButton.disabled = !ready || busy;
    this.askButton.hidden = busy;
    this.stopButton.hidden = !busy;
  }

  private say(message: string): void {
    this.status.textContent = message;
  }

  private fail(error: AppError, during: ErrorStage): void {
    this.alert.textContent = error.message;
    this.alert.hidden = false;
    this.emit('sage-error', { error, during });
  }

  private clearAlert(): void {
    this.alert.hidden = true;
    this.alert.textContent = '';
  }

  private emit<K extends keyof SageAgentEventMap>(type: K, detail: SageAgentEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sage-agent': SageAgentElement;
  }
  // Typed listeners for hosts: `el.addEventListener('sage-answer', (e) => e.detail.answer)` needs no cast.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merging the map into the DOM's is the point
  interface HTMLElementEventMap extends SageAgentEventMap {}
}

/** Registers the element once (a page may load the widget script twice). */
export function defineSageAgent(name = 'sage-agent'): void {
  if (!customElements.get(name)) customElements.define(name, SageAgentElement);
}
