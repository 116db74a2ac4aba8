/**
 * The evidence timeline under the player: the skim's thumbnails along the whole video, the last
 * answer's evidence over them, the window each tool call used (coloured by tool), the stretches of
 * speech transcribed so far, and where playback is. Every mark is a button that says what it is
 * (on hover and focus) and seeks there.
 */
import type { TimeSpan } from '../core/contracts';
import { h } from './dom';
import { formatSpan } from './format';
import { markerLayout } from './timeline';

/** What the tools' windows are called in the marks and the legend. */
const TOOL_NAMES: Record<string, string> = {
  verbal_transcript: 'Listened',
  extract_parts_from_timestamp: 'Looked at frames',
  identify_timestamps_visually: 'Searched for a moment',
  perform_reasoning: 'Reasoned',
};

/** Thumbnails drawn along the strip, at most; each is a slice of the canvas at its own aspect. */
const MAX_THUMBS = 24;
const THUMB_HEIGHT = 90;

export interface ThumbnailSource {
  timestamp: number;
  width: number;
  height: number;
  image: ImageBitmap | Blob;
}

export class EvidenceTimeline {
  private readonly thumbs = h('canvas', { class: 'strip', 'aria-hidden': 'true' });
  private readonly playhead = h('div', { class: 'playhead', 'aria-hidden': 'true' });
  private readonly evidenceLane = h('div', { class: 'lane lane-evidence' });
  private readonly toolLane = h('div', { class: 'lanes' });
  private readonly speechLane = h('div', { class: 'lane lane-speech' });
  private readonly legend = h('ul', { class: 'legend', 'aria-hidden': 'true' });
  readonly element = h(
    'section',
    { class: 'timeline', 'aria-label': 'Evidence timeline', hidden: true },
    h('div', { class: 'track' }, this.thumbs, this.evidenceLane, this.playhead),
    this.toolLane,
    this.speechLane,
    this.legend,
  );
  private duration = 0;
  private evidence: readonly TimeSpan[] = [];
  private tools: { name: string; span: TimeSpan }[] = [];
  private transcribed: readonly TimeSpan[] = [];

  /** A video `duration` seconds long: empties every lane; hidden while no file has been read. */
  reset(duration: number, visible: boolean): void {
    this.duration = duration;
    this.element.hidden = !visible;
    this.evidence = [];
    this.tools = [];
    this.transcribed = [];
    this.thumbs.width = 0;
    this.redraw();
  }

  showEvidence(spans: readonly TimeSpan[]): void {
    this.evidence = spans;
    this.redraw();
  }

  /** A tool call's window (a call with no window, e.g. reasoning over named frames, adds none). */
  addToolWindow(name: string, span: TimeSpan): void {
    this.tools.push({ name, span });
    this.redraw();
  }

  showTranscribed(spans: readonly TimeSpan[]): void {
    this.transcribed = spans;
    this.redraw();
  }

  /** Draws up to MAX_THUMBS skim frames, evenly spread, side by side; pixels are copied, never transferred. */
  async showSkim(frames: readonly ThumbnailSource[]): Promise<void> {
    const sample = frames[0];
    if (!sample) return;
    // As many as fit the strip's width at their own aspect (the canvas is stretched to the strip).
    const strip = this.thumbs.getBoundingClientRect();
    const fit = strip.height > 0 ? Math.round(strip.width / ((strip.height * sample.width) / sample.height)) : 8;
    const picked = spread(frames, Math.max(4, Math.min(MAX_THUMBS, fit)));
    const first = picked[0];
    if (!first) return;
    const width = Math.max(1, Math.round((THUMB_HEIGHT * first.width) / first.height));
    this.thumbs.width = width * picked.length;
    this.thumbs.height = THUMB_HEIGHT;
    const context = this.thumbs.getContext('2d');
    if (!context) return;
    for (const [index, frame] of picked.entries()) {
      try {
        const source = frame.image instanceof Blob ? await createImageBitmap(frame.image) : frame.image;
        context.drawImage(source, index * width, 0, width, THUMB_HEIGHT);
        if (frame.image instanceof Blob) source.close();
      } catch {
        // A frame closed before it was drawn leaves its slice empty; the marks still seek.
      }
    }
  }

  movePlayhead(currentTime: number): void {
    if (this.duration > 0) this.playhead.style.left = `${Math.min(1, currentTime / this.duration) * 100}%`;
  }

  private redraw(): void {
    this.evidenceLane.replaceChildren(...this.marks(this.evidence, 'marker evidence', (span) => `Evidence ${span}`));
    const names = [...new Set(this.tools.map((call) => call.name))];
    // One row per tool, so windows of different tools never hide each other.
    this.toolLane.replaceChildren(
      ...names.map((name) =>
        h(
          'div',
          { class: 'lane' },
          ...this.marks(
            this.tools.filter((call) => call.name === name).map((call) => call.span),
            `marker tool tool-${name}`,
            (span) => `${TOOL_NAMES[name] ?? name} ${span}`,
          ),
        ),
      ),
    );
    this.speechLane.replaceChildren(...this.marks(this.transcribed, 'marker speech', (span) => `Transcribed ${span}`));
    this.toolLane.hidden = names.length === 0;
    this.speechLane.hidden = this.transcribed.length === 0;
    const keys: [string, string][] = [
      ['evidence', 'Evidence'],
      ...names.map((name): [string, string] => [`tool tool-${name}`, TOOL_NAMES[name] ?? name]),
      ...(this.transcribed.length > 0 ? [['speech', 'Transcribed'] as [string, string]] : []),
    ];
    this.legend.replaceChildren(...keys.map(([kind, text]) => h('li', {}, h('span', { class: `swatch ${kind}` }), text)));
  }

  private marks(spans: readonly TimeSpan[], className: string, label: (span: string) => string): HTMLButtonElement[] {
    return markerLayout(spans, this.duration).map((marker) => {
      const text = label(formatSpan(marker.start, marker.end));
      const button = h('button', { type: 'button', class: className, 'data-seek': marker.start, 'data-label': text, 'aria-label': text });
      // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
      button.style.left = `${marker.left * 100}%`;
      button.style.width = `${marker.width * 100}%`;
      return button;
    });
  }
}

/** At most `count` items, evenly spread over `items` (all of them when there are fewer). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, index) => items[Math.floor(((index + 0.5) * items.length) / count)] as T);
}
