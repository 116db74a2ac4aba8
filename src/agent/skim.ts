import { MAX_SKIM_FRAMES, SKIM_FRAMES_PER_SECOND } from './protocol';

/**
 * How many skim frames (F) a video gets: one per second, at most 128, so a short clip costs a
 * short Stage-1 call and a long film never costs more than 128 small frames.
 * 0 for a duration that is unknown or not positive.
 */
export function skimFrameCount(durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  return Math.min(MAX_SKIM_FRAMES, Math.ceil(durationSeconds * SKIM_FRAMES_PER_SECOND));
}
