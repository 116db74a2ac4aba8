/** Where evidence markers sit on the timeline, as fractions of the video's length. */
import type { TimeSpan } from '../core/contracts';

export interface Marker {
  start: number;
  end: number;
  /** Left edge and width, 0 to 1 of the timeline. */
  left: number;
  width: number;
}

/** Markers narrower than this would be invisible; they are widened around their start. */
export const MIN_MARKER_WIDTH = 0.006;

/**
 * One marker per distinct stretch: overlapping or touching spans merge (a transcript gives many
 * adjacent segments), times are clamped to the video.
 */
export function markerLayout(spans: readonly TimeSpan[], duration: number): Marker[] {
  if (!(duration > 0)) return [];
  const clamped = spans
    .map((span) => ({ start: clamp(Math.min(span.start, span.end), duration), end: clamp(Math.max(span.start, span.end), duration) }))
    .sort((a, b) => a.start - b.start);
  const merged: TimeSpan[] = [];
  for (const span of clamped) {
    const previous = merged[merged.length - 1];
    if (previous && span.start <= previous.end) previous.end = Math.max(previous.end, span.end);
    else merged.push({ ...span });
  }
  return merged.map(({ start, end }) => {
    const width = Math.max(MIN_MARKER_WIDTH, (end - start) / duration);
    const left = Math.min(start / duration, 1 - width);
    return { start, end, left: Math.max(0, left), width };
  });
}

function clamp(value: number, duration: number): number {
  return Math.min(duration, Math.max(0, value));
}
