/**
 * `<sage-agent>`: drop a video, ask about it, watch the agent work. The full page and the embeddable
 * widget are this one element; everything it shows lives in its shadow root, so host-page styles
 * and its own never meet. The work itself is the workspace's (src/workspace/): the element turns
 * attributes and gestures into workspace calls and renders the workspace's state.
 */
import type { AgentEvent, AnswerEvent } from '../agent/events';
import type { ReasoningModel } from '../core/contracts';
import { DEFAULT_VLM_ID } from '../models/registry';
import type { WebSearchProvider } from '../tools';
import { SPEECH_MODEL_ID } from '../runtime/engine-contracts';
import { Workspace, type VideoState, type WorkspaceError, type WorkspaceSettings, type WorkspaceState } from '../workspace/workspace';
import { parseTimestamp } from '../core/timestamps';
import { Conversation } from './conversation';
import { h } from './dom';
import { DropZone } from './drop-zone';
import { elementStyles } from './element-styles';
import { ProgressView } from './progress-view';
import { QuestionForm } from './question-form';
import { SETTINGS_CHANGE, SettingsPanel, type SettingsChange } from './settings-panel';
import { TRANSCRIBE_TOGGLE, TRANSCRIPT_FORGET, TranscriptPanel } from './transcript-panel';
import { VideoView } from './video-view';

export type SageAgentErrorDetail = WorkspaceError;

/** Events `<sage-agent>` dispatches, prefixed so they never meet the DOM's own (`error`). */
export interface SageAgentEventMap {
  /** Every agent event of a question, as it happens (the answer too). */
  'sage-step': CustomEvent<AgentEvent>;
  'sage-answer': CustomEvent<AnswerEvent>;
  'sage-error': CustomEvent<SageAgentErrorDetail>;
}

/** Observed attributes and the workspace settings they set. */
const ATTRIBUTE_SETTINGS = {
  model: 'model',
  'model-source': 'modelSource',
  tools: 'tools',
  speech: 'speech',
  reasoner: 'reasoner',
} as const satisfies Record<string, keyof WorkspaceSettings>;

type SettingAttribute = keyof typeof ATTRIBUTE_SETTINGS;

const isSettingAttribute = (name: string): name is SettingAttribute => name in ATTRIBUTE_SETTINGS;

/**
 * The public contract (attributes, properties, methods, events, parts) is docs/embedding.md;
 * tests/browser/embedding-docs.test.ts checks its tables against this class.
 */
export class SageAgentElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'speech-only', ...Object.keys(ATTRIBUTE_SETTINGS)];

  private readonly root: ShadowRoot;
  private workspace: Workspace;
  private readonly drop = new DropZone(this, (file) => void this.openVideo(file, file.name));
  private readonly alert = h('p', { class: 'alert', role: 'alert', hidden: true });
  private readonly video = new VideoView({ video: () => this.workspace.state.video, fail: (error) => this.workspace.fail(error, 'open') });
  private readonly progress = new ProgressView();
  private readonly conversation = new Conversation();
  private readonly form = new QuestionForm({
    ask: (text) => void this.ask(text),
    stop: () => this.workspace.stop(),
    speechOnly: (on) => this.toggleAttribute('speech-only', on),
  });
  private readonly status = h('p', { class: 'status muted', role: 'status' });
  private readonly transcript = new TranscriptPanel();
  private readonly settings = new SettingsPanel(DEFAULT_VLM_ID, SPEECH_MODEL_ID);

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.adoptedStyleSheets = [elementStyles()];
    this.workspace = this.makeWorkspace();
    this.root.append(
      h(
        'div',
        { class: 'app', part: 'app' },
        h(
          'div',
          { class: 'top' },
          h('header', {}, h('p', { class: 'title' }, 'SAGE video agent'), h('p', { class: 'lede muted' }, 'Ask about a long video. Everything runs in this browser; nothing is uploaded.')),
          this.drop.element,
        ),
        h(
          'div',
          { class: 'columns' },
          h('section', { class: 'media', 'aria-label': 'Video' }, ...this.video.elements, this.progress.element),
          // Failures show here, beside the question they stopped, once.
          h('section', { class: 'chat', 'aria-label': 'Questions' }, this.conversation.log, this.alert, this.form.element, this.status, this.conversation.announcer),
        ),
        this.transcript.element,
        this.settings.element,
      ),
    );
    this.listen();
    this.reflectSettings();
    this.settings.showVlmState(this.workspace.state.models.vlm);
  }

  /** Enables `unified_web_search` and `parse_web_data` for videos opened from now on. */
  get webSearch(): WebSearchProvider | undefined {
    return this.workspace.settings.webSearch;
  }
  set webSearch(provider: WebSearchProvider | undefined) {
    this.workspace.configure({ webSearch: provider });
  }

  /** Where the app's `models/` folder is served from; by default next to this script. */
  get modelBaseUrl(): string | undefined {
    return this.workspace.settings.modelBaseUrl;
  }
  set modelBaseUrl(url: string | undefined) {
    this.workspace.configure({ modelBaseUrl: url });
  }

  /** Replaces the VLM as orchestrator (both stages): a host's own model, or a scripted one in tests. */
  get orchestrator(): ReasoningModel | undefined {
    return this.workspace.settings.orchestrator;
  }
  set orchestrator(model: ReasoningModel | undefined) {
    this.workspace.configure({ orchestrator: model });
  }

  /** Registry id of the VLM in use: the `model` attribute, else the chooser's pick once the device is checked. */
  get modelId(): string {
    return this.workspace.state.models.vlmId;
  }

  connectedCallback(): void {
    // Shown again after a removal freed everything: a fresh workspace with the same settings.
    if (this.workspace.isDisposed) {
      const { state, settings } = this.workspace;
      this.workspace = this.makeWorkspace();
      this.workspace.configure(settings);
      this.render(this.workspace.state, state);
    }
    const src = this.getAttribute('src');
    if (src && !this.workspace.state.video) this.openSrc(src);
  }

  disconnectedCallback(): void {
    // Moving the element re-connects it in the same task; only a real removal frees the workers.
    queueMicrotask(() => {
      if (!this.isConnected) void this.workspace.dispose();
    });
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value) return;
    if (name === 'src' && value && this.isConnected) this.openSrc(value);
    if (name === 'speech-only') {
      this.workspace.configure({ speechOnly: value !== null });
      this.form.showSpeechOnly(value !== null);
    }
    if (!isSettingAttribute(name)) return;
    this.workspace.configure({ [ATTRIBUTE_SETTINGS[name]]: value });
    this.reflectSettings();
    if ((name === 'model' || name === 'model-source') && this.settings.element.open) void this.showDevice();
  }

  /** Opens a video file (what a drop or the file picker does). The latest of overlapping opens wins. */
  openVideo(blob: Blob, name: string, playUrl?: string): Promise<void> {
    return this.workspace.openFile(blob, name, playUrl);
  }

  /** Asks a question about the open video; resolves when the run has ended. */
  async ask(text: string): Promise<void> {
    const videoId = this.workspace.state.video?.id;
    await this.workspace.ask(text);
    if (videoId !== undefined && this.workspace.state.video?.id === videoId) this.form.input.focus();
  }

  /** Plays from `seconds`. */
  seek(seconds: number): void {
    this.video.seek(seconds);
  }

  private listen(): void {
    this.root.addEventListener('click', (event) => {
      const target = (event.target as Element).closest<HTMLElement>('[data-seek]');
      if (target) this.seek(Number(target.dataset.seek));
    });
    this.transcript.element.addEventListener(TRANSCRIBE_TOGGLE, () => {
      if (this.workspace.state.transcribing) this.workspace.stopTranscribing();
      else void this.workspace.transcribeAll();
    });
    this.transcript.element.addEventListener(TRANSCRIPT_FORGET, () => void this.workspace.forgetTranscript());
    // "Retry with vision" under an answer from the speech: vision is wanted, so "speech only" goes.
    this.root.addEventListener('sage-retry-vision', (event) => {
      this.removeAttribute('speech-only');
      void this.workspace.retryWithVision((event as CustomEvent<{ question: string }>).detail.question);
    });
    // The panel reports choices; attributes are the one source of truth, reflected back.
    this.settings.element.addEventListener(SETTINGS_CHANGE, (event) => {
      const { attribute, value } = (event as CustomEvent<SettingsChange>).detail;
      if (value === null) this.removeAttribute(attribute);
      else this.setAttribute(attribute, value);
    });
    this.settings.element.addEventListener('toggle', () => {
      if (!this.settings.element.open) return;
      void this.showDevice();
      void this.settings.refreshStored();
    });
  }

  private makeWorkspace(): Workspace {
    const workspace = new Workspace({ releaseVideo: (video) => this.video.release(video) });
    workspace.on('change', ({ state, previous }) => this.render(state, previous));
    workspace.on('run-start', (run) => this.conversation.start(run));
    workspace.on('step', (event) => this.showStep(event));
    workspace.on('notice', (text) => this.conversation.notice(text));
    workspace.on('error', (detail) => this.emit('sage-error', detail));
    return workspace;
  }

  private openSrc(src: string): void {
    void this.workspace.openUrl(src, document.baseURI);
  }

  /** Draws what changed between two workspace states. */
  private render(state: WorkspaceState, previous: WorkspaceState): void {
    if (state.video !== previous.video) this.renderVideo(state.video, previous.video);
    if (state.status !== previous.status) this.status.textContent = state.status;
    if (state.alert !== previous.alert) {
      this.alert.textContent = state.alert?.message ?? '';
      this.alert.hidden = state.alert === null;
    }
    // A failure is said once: the status line is hidden while it would repeat the alert.
    this.status.hidden = state.alert !== null && state.status.includes(state.alert.message);
    // A question taken is cleared from the box at once; notices after its run go to the status line only.
    if (state.asking && !previous.asking) this.form.input.value = '';
    if (!state.asking) this.conversation.end();
    if (state.askable !== previous.askable || state.asking !== previous.asking) this.form.render(state.askable, state.asking);
    if (state.progress !== previous.progress) this.progress.render(state.progress);
    if (state.transcript !== previous.transcript) {
      this.transcript.show(state.transcript);
      if (state.transcript.notice && state.transcript.notice !== previous.transcript.notice) this.transcript.notice(state.transcript.notice);
    }
    if (state.transcribing !== previous.transcribing) this.transcript.showTranscribing(state.transcribing);
    const { timeline } = this.video;
    const newVideo = state.video !== previous.video;
    if (state.evidence !== previous.evidence || newVideo) timeline.showEvidence(state.evidence);
    if (state.transcript !== previous.transcript || newVideo) timeline.showTranscribed(state.transcript.segments);
    if (state.skim !== previous.skim || newVideo) void timeline.showSkim(state.skim);
    const { models } = state;
    if (models.vlmId !== previous.models.vlmId) this.settings.choose(models.vlmId);
    if (models.vlm !== previous.models.vlm) this.settings.showVlmState(models.vlm);
    if (models.speechId && models.speechId !== previous.models.speechId) this.settings.useSpeech(models.speechId);
  }

  private renderVideo(video: VideoState | null, previous: VideoState | null): void {
    this.drop.compact(video !== null);
    if (video?.id !== previous?.id) this.conversation.clear();
    this.video.show(video, previous);
    if (!video?.file || video.file === previous?.file) return;
    this.form.input.placeholder = 'Ask about the video (Enter sends)';
    this.transcript.reset(video.name, video.duration);
  }

  private showStep(event: AgentEvent): void {
    const line = this.conversation.add(event);
    if (line !== null) this.workspace.announce(line);
    if (event.type === 'tool-called') {
      const start = parseTimestamp(event.arguments.timestamp_start);
      const end = parseTimestamp(event.arguments.timestamp_end);
      if (start.ok && end.ok) this.video.timeline.addToolWindow(event.name, { start: start.seconds, end: end.seconds });
    }
    this.emit('sage-step', event);
    if (event.type === 'answer') this.emit('sage-answer', event);
  }

  private reflectSettings(): void {
    this.settings.reflect({ 'model-source': this.getAttribute('model-source'), speech: this.getAttribute('speech'), reasoner: this.getAttribute('reasoner') });
  }

  private async showDevice(): Promise<void> {
    const report = await this.workspace.deviceReport();
    this.settings.showServed(report.served);
    this.settings.showDevice(report.capabilities, report.notes);
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
