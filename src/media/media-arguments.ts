/** Checks of the times, windows and counts callers pass to the media service, with messages that say what is wrong. */
import { AppError } from '../core/errors';
import type { TimeSpan } from '../core/contracts';

export function clampCount(count: number, max: number): number {
  if (!Number.isFinite(count) || count < 1) throw new AppError('invalid-argument', 'The number of frames must be at least 1.');
  return Math.min(max, Math.floor(count));
}

export function checkTime(seconds: number): void {
  if (!Number.isFinite(seconds)) throw new AppError('invalid-argument', `The time ${seconds} s is not a time in the video.`);
}

/** Windows are clamped to the file; an empty or reversed window is the caller's mistake. */
export function checkWindow(window: TimeSpan, duration: number): TimeSpan {
  const start = Math.max(0, window.start);
  const end = Math.min(duration, window.end);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    throw new AppError('invalid-argument', `The time window ${window.start}–${window.end} s is empty or outside the video.`);
  }
  return { start, end };
}
