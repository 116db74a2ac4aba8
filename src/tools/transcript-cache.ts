/**
 * Transcripts already computed for one video, by span. A request only transcribes the parts of its
 * window no earlier request covered. One cache per video and Whisper model: a different model or
 * language would give different text, so the owner makes a new cache when either changes.
 */
import { mergeSpans, overlaps, subtractSpans } from '../speech/spans';
import type { TimeSpan, TranscriptSegment } from '../core/contracts';

/** Uncovered slivers shorter than this are not worth a Whisper pass (no word fits in them). */
export const MIN_UNCOVERED_SECONDS = 0.25;

export class TranscriptCache {
  private covered: TimeSpan[] = [];
  private segments: TranscriptSegment[] = [];

  /** Parts of `window` not transcribed yet, in order; slivers under `minSeconds` are left out. */
  uncovered(window: TimeSpan, minSeconds = MIN_UNCOVERED_SECONDS): TimeSpan[] {
    return subtractSpans(window, this.covered).filter((gap) => gap.end - gap.start >= minSeconds);
  }

  /** Records that `span` has been transcribed, with the segments found in it (possibly none). */
  add(span: TimeSpan, segments: readonly TranscriptSegment[]): void {
    this.covered = mergeSpans([...this.covered, span]);
    for (const segment of segments) {
      const duplicate = this.segments.some(
        (s) => s.start === segment.start && s.end === segment.end && s.text === segment.text,
      );
      if (!duplicate) this.segments.push({ ...segment });
    }
    this.segments.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /** Segments that overlap `window`, in time order. A zero-length segment counts if it lies inside. */
  lookup(window: TimeSpan): TranscriptSegment[] {
    return this.segments
      .filter((s) =>
        s.end > s.start ? overlaps(s, window) : s.start >= window.start && s.start < window.end,
      )
      .map((s) => ({ ...s }));
  }

  /** Spans transcribed so far, merged and sorted. */
  coveredSpans(): TimeSpan[] {
    return this.covered.map((s) => ({ ...s }));
  }
}
