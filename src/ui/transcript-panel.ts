/**
 * The transcript panel: speech transcribed so far (by the agent or by "Transcribe all"), searchable,
 * each line seeking the player, exportable as SRT and WebVTT.
 */
import type { TranscriptSegment } from '../core/contracts';
import { h, timeButton } from './dom';
import { formatClock } from './format';
import { searchSegments, toSrt, toWebVtt } from './subtitles';

export interface TranscriptSource {
  segments: readonly TranscriptSegment[];
  /** Seconds of the video transcribed so far, and its length. */
  coveredSeconds: number;
  duration: number;
}

/** Dispatched on the panel's element when "Transcribe all" (or its Stop) is pressed. */
export const TRANSCRIBE_TOGGLE = 'sage-transcribe-toggle';
/** Dispatched on the panel's element when "Forget" is pressed. */
export const TRANSCRIPT_FORGET = 'sage-transcript-forget';

/**
 * State in: `reset` (a new video), `show` (what is transcribed), `showTranscribing`, `notice`.
 * Events out, on `element`: `sage-transcribe-toggle`, `sage-transcript-forget`. Timestamps are `[data-seek]` buttons, which
 * the element handles. Search and the exports are the panel's own.
 */
export class TranscriptPanel {
  readonly element: HTMLDetailsElement;
  private readonly search = h('input', { type: 'search', placeholder: 'Search the transcript', 'aria-label': 'Search the transcript' });
  private readonly transcribeAll = h('button', { type: 'button', class: 'transcribe-all' }, 'Transcribe all');
  private readonly srt = h('button', { type: 'button' }, 'Export SRT');
  private readonly vtt = h('button', { type: 'button' }, 'Export WebVTT');
  private readonly forget = h('button', { type: 'button', title: 'Forget this transcript, here and in this browser' }, 'Forget');
  private readonly summary = h('p', { class: 'muted', role: 'status' }, 'Open a video to see its speech here.');
  private readonly note = h('p', { class: 'muted note', hidden: true });
  private readonly list = h('ol', { class: 'segments' });
  private source: TranscriptSource = { segments: [], coveredSeconds: 0, duration: 0 };
  private fileStem = 'transcript';

  constructor() {
    this.element = h(
      'details',
      { class: 'panel transcript' },
      h('summary', {}, 'Transcript'),
      h('div', { class: 'toolbar' }, this.search, this.transcribeAll, this.srt, this.vtt, this.forget),
      this.summary,
      this.note,
      this.list,
    );
    this.search.addEventListener('input', () => this.renderList());
    this.transcribeAll.addEventListener('click', () => this.element.dispatchEvent(new Event(TRANSCRIBE_TOGGLE)));
    this.forget.addEventListener('click', () => this.element.dispatchEvent(new Event(TRANSCRIPT_FORGET)));
    this.srt.addEventListener('click', () => this.download('srt', toSrt(this.source.segments), 'application/x-subrip'));
    this.vtt.addEventListener('click', () => this.download('vtt', toWebVtt(this.source.segments), 'text/vtt'));
    this.show(this.source);
  }

  /** Whether "Transcribe all" is running, which turns its button into Stop. */
  showTranscribing(running: boolean): void {
    this.transcribeAll.textContent = running ? 'Stop transcribing' : 'Transcribe all';
  }

  /** A new video: empties the panel and names exports after the file. */
  reset(fileName: string, duration: number): void {
    this.fileStem = fileName.replace(/\.[^.]+$/, '') || 'transcript';
    this.search.value = '';
    this.note.hidden = true;
    this.show({ segments: [], coveredSeconds: 0, duration });
  }

  /** A word on the transcript itself, e.g. that it cannot be kept after the page closes; until the next video. */
  notice(text: string): void {
    this.note.textContent = text;
    this.note.hidden = false;
  }

  show(source: TranscriptSource): void {
    this.source = source;
    const empty = source.segments.length === 0;
    this.srt.disabled = empty;
    this.vtt.disabled = empty;
    this.forget.disabled = source.coveredSeconds === 0;
    this.transcribeAll.disabled = source.duration === 0 || source.coveredSeconds >= source.duration - 0.5;
    this.summary.textContent =
      source.duration === 0
        ? 'Open a video to see its speech here.'
        : `${formatClock(source.coveredSeconds)} of ${formatClock(source.duration)} transcribed` +
          (source.coveredSeconds > 0 && empty ? ' (no speech found yet).' : '.');
    this.renderList();
  }

  private renderList(): void {
    const found = searchSegments(this.source.segments, this.search.value);
    this.list.replaceChildren(
      ...found.map((segment) => h('li', {}, timeButton(segment.start), h('span', { class: 'segment-text' }, segment.text.trim()))),
    );
    if (found.length === 0 && this.source.segments.length > 0) this.list.append(h('li', { class: 'muted' }, 'No line matches.'));
  }

  private download(extension: string, text: string, type: string): void {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = h('a', { href: url, download: `${this.fileStem}.${extension}` });
    link.click();
    // The download has started from the URL by the time the click handler returns.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
