/**
 * Transcripts already computed for one video, by span. A request only transcribes the parts of its
 * window no earlier request covered. One cache per video and Whisper model: a different model or
 * language would give different text, so the owner empties it (`clear`) when either changes. It can be
 * written out and read back (`snapshot`, `restore`), which the transcript store does across reloads.
 */
import { mergeSpans, overlaps, subtractSpans } from '../speech/spans';
import type { TimeSpan, TranscriptSegment } from '../core/contracts';

/** Uncovered slivers shorter than this are not worth a Whisper pass (no word fits in them). */
export const MIN_UNCOVERED_SECONDS = 0.25;

/** What a cache holds, as plain data. */
export interface TranscriptSnapshot {
  covered: TimeSpan[];
  segments: TranscriptSegment[];
}

export class TranscriptCache {
  private covered: TimeSpan[] = [];
  private segments: TranscriptSegment[] = [];
  private clears = 0;
  private readonly listeners = new Set<() => void>();

  /** Parts of `window` not transcribed yet, in order; slivers under `minSeconds` are left out. */
  uncovered(window: TimeSpan, minSeconds = MIN_UNCOVERED_SECONDS): TimeSpan[] {
    return subtractSpans(window, this.covered).filter((gap) => gap.end - gap.start >= minSeconds);
  }

  /**
   * Which contents the cache holds: it changes with every `clear`. A transcription started before a
   * clear passes the generation it started in to `add`, which then drops it.
   */
  get generation(): number {
    return this.clears;
  }

  /** Records that `span` has been transcribed, with the segments found in it (possibly none). */
  add(span: TimeSpan, segments: readonly TranscriptSegment[], generation = this.clears): void {
    if (generation !== this.clears) return;
    this.merge([span], segments);
    for (const listener of this.listeners) listener();
  }

  /**
   * Merges a snapshot in (e.g. one saved before a reload), keeping anything already added. Does not
   * notify: what is restored is already stored.
   */
  restore(snapshot: TranscriptSnapshot): void {
    this.merge(snapshot.covered, snapshot.segments);
  }

  /** Forgets everything, without notifying: nothing new is there to store. */
  clear(): void {
    this.clears++;
    this.covered = [];
    this.segments = [];
  }

  snapshot(): TranscriptSnapshot {
    return { covered: this.coveredSpans(), segments: this.segments.map((s) => ({ ...s })) };
  }

  /** Calls `listener` after every `add`; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  private merge(spans: readonly TimeSpan[], segments: readonly TranscriptSegment[]): void {
    this.covered = mergeSpans([...this.covered, ...spans]);
    for (const segment of segments) {
      const duplicate = this.segments.some(
        (s) => s.start === segment.start && s.end === segment.end && s.text === segment.text,
      );
      if (!duplicate) this.segments.push({ ...segment });
    }
    this.segments.sort((a, b) => a.start - b.start || a.end - b.end);
  }
}
