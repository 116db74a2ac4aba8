import type { TimeSpan } from '../core/contracts';

/** Sorted union of spans; spans closer than `maxGap` are joined. Empty spans are dropped. */
export function mergeSpans(spans: readonly TimeSpan[], maxGap = 0): TimeSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged: TimeSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start - last.end <= maxGap) {
      last.end = Math.max(last.end, span.end);
    } else {
      merged.push({ start: span.start, end: span.end });
    }
  }
  return merged;
}

/** The parts of `window` not covered by any of `covered`, in order. */
export function subtractSpans(window: TimeSpan, covered: readonly TimeSpan[]): TimeSpan[] {
  const gaps: TimeSpan[] = [];
  let cursor = window.start;
  for (const span of mergeSpans(covered)) {
    if (span.end <= cursor) continue;
    if (span.start >= window.end) break;
    if (span.start > cursor) gaps.push({ start: cursor, end: span.start });
    cursor = Math.max(cursor, span.end);
    if (cursor >= window.end) break;
  }
  if (cursor < window.end) gaps.push({ start: cursor, end: window.end });
  return gaps;
}

export function totalLength(spans: readonly TimeSpan[]): number {
  return spans.reduce((sum, s) => sum + Math.max(0, s.end - s.start), 0);
}

export function overlaps(a: TimeSpan, b: TimeSpan): boolean {
  return a.start < b.end && b.start < a.end;
}
