/**
 * The status line of an opened file, from what the file can be used for and how far its skim got.
 * Every phase but `skimming` is final, so the line never claims work that has stopped.
 */
import type { AppError } from '../core/errors';
import type { MediaUses } from '../media/media-uses';

export type OpenPhase =
  | { kind: 'skimming' }
  /** The session is open; `skimFailure` when its frames failed and the speech carries on. */
  | { kind: 'ready'; skimFrames: number; skimFailure: AppError | null }
  | { kind: 'failed'; error: AppError };

export interface OpenStatus {
  text: string;
  /** Whether a question can be asked about this file at all. */
  askable: boolean;
}

export function openStatus(uses: MediaUses, phase: OpenPhase): OpenStatus {
  const limits = uses.limits.join(' ');
  const withLimits = (text: string) => (limits ? `${text} ${limits}` : text);
  if (!uses.frames && !uses.speech) {
    return { text: withLimits('Nothing in this file can be used in this browser.'), askable: false };
  }
  switch (phase.kind) {
    case 'skimming':
      return {
        text: uses.frames ? 'Skimming the whole video so questions start quickly…' : withLimits('Questions use its speech.'),
        askable: true,
      };
    case 'ready':
      if (phase.skimFailure) {
        return { text: withLimits(`The video could not be skimmed: ${phase.skimFailure.message} Questions use its speech.`), askable: true };
      }
      return {
        text: withLimits(uses.frames ? `Ready: skimmed ${phase.skimFrames} frames.` : 'Ready: questions use its speech.'),
        askable: true,
      };
    case 'failed':
      return { text: withLimits(`The video could not be skimmed, so no question can be asked about it: ${phase.error.message}`), askable: false };
  }
}
