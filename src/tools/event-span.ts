/** Choosing where an event happens from per-frame scores. Pure. */
import type { TimeSpan } from '../core/contracts';

/** A scored sample: the frame stands for the slice of the window around it. */
export interface ScoredSlice {
  start: number;
  end: number;
  /** How well the frame shows the event, 0 to 1. */
  score: number;
}

/** Default score at or above which a frame counts as showing the event. */
export const MATCH_THRESHOLD = 0.5;

export interface EventSpanOptions {
  /** Scores at or above this count as showing the event (default `MATCH_THRESHOLD`). */
  threshold?: number;
  /**
   * Non-matching slices bridged inside one run (default 1): a weak scorer often misses a single
   * frame in the middle of an event, which should not split it in two.
   */
  maxGap?: number;
}

/**
 * The best contiguous run of matching slices, from the start of its first slice to the end of its
 * last, or null when no slice matches. Best is the largest total score; ties go to the earliest.
 * `slices` must be in time order.
 */
export function selectEventSpan(slices: readonly ScoredSlice[], options: EventSpanOptions = {}): TimeSpan | null {
  const threshold = options.threshold ?? MATCH_THRESHOLD;
  const maxGap = options.maxGap ?? 1;
  let best: { span: TimeSpan; total: number } | null = null;
  let i = 0;
  while (i < slices.length) {
    if ((slices[i]?.score ?? 0) < threshold) {
      i += 1;
      continue;
    }
    const first = i;
    let last = i;
    let total = 0;
    let j = i;
    while (j < slices.length) {
      const score = slices[j]?.score ?? 0;
      if (score >= threshold) {
        last = j;
        j += 1;
        continue;
      }
      // A gap only belongs to the run when a match follows within maxGap slices.
      const resume = slices.slice(j, j + maxGap + 1).findIndex((slice) => slice.score >= threshold);
      if (resume <= 0) break;
      j += resume;
    }
    for (let k = first; k <= last; k += 1) total += slices[k]?.score ?? 0;
    const span = { start: (slices[first] as ScoredSlice).start, end: (slices[last] as ScoredSlice).end };
    if (!best || total > best.total) best = { span, total };
    i = last + 1;
  }
  return best?.span ?? null;
}
