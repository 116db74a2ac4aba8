/** Which instants to sample, and how requested instants map to key frames. Pure functions. */

import { MAX_SKIM_FRAMES, SKIM_FRAMES_PER_SECOND } from '../core/protocol';

/**
 * How many skim frames a video gets, so a short clip costs a short Stage-1 call and a long film
 * never costs more than 128 small frames. 0 for a duration that is unknown or not positive.
 */
export function skimFrameCount(durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  return Math.min(MAX_SKIM_FRAMES, Math.ceil(durationSeconds * SKIM_FRAMES_PER_SECOND));
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
