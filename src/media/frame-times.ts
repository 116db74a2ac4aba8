/** Which instants to sample, and how requested instants map to key frames. Pure functions. */

/** Skims never exceed this many frames (SAGE samples at 1 fps, at most 128 frames). */
export const MAX_SKIM_FRAMES = 128;

/** One frame per second of video, at least 1, at most 128. */
export function defaultSkimCount(durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 1;
  return Math.max(1, Math.min(MAX_SKIM_FRAMES, Math.floor(durationSeconds)));
}

/**
 * `count` instants spread over [start, end): the middle of each of `count` equal slices, so that
 * every part of the span is represented and no instant sits on the very last, often missing, frame.
 */
export function spreadTimes(start: number, end: number, count: number): number[] {
  const span = Math.max(0, end - start);
  const n = Math.max(1, Math.floor(count));
  return Array.from({ length: n }, (_, i) => start + ((i + 0.5) * span) / n);
}

/**
 * `count` instants evenly spaced over [start, end], both ends included (a window's first and last
 * moments both matter when looking closely at a scene). `end` is nudged inside the last frame.
 */
export function evenlySpacedTimes(start: number, end: number, count: number): number[] {
  const n = Math.max(1, Math.floor(count));
  if (n === 1 || end <= start) return [start];
  return Array.from({ length: n }, (_, i) => start + (i * (end - start)) / (n - 1));
}

/** Of the key frames just before and just after `time`, the one nearer to it (ties go earlier). */
export function nearerKeyTime(time: number, before: number | null, after: number | null): number | null {
  if (before === null) return after;
  if (after === null) return before;
  return time - before <= after - time ? before : after;
}
