/**
 * What an opened file can be used for here, decided once from its probe: the page promises only
 * this, and the agent session skims only what decodes.
 */
import { formatTimestampFloor } from '../core/time';
import { undecodableAudio, undecodableVideo } from './open-media';
import type { ProbeResult } from './types';

export interface MediaUses {
  /** Frames decode: the skim, frame extraction and finding when things happen. */
  frames: boolean;
  /** Audio decodes: listening to speech and the transcript. */
  speech: boolean;
  /** Seconds from the start that can be read; less than the duration for a file cut short. */
  readableSeconds: number;
  /** True when the file ends before its index says it does. */
  cutShort: boolean;
  /** What does not work, and why, one sentence each, for the person. Empty when everything works. */
  limits: string[];
}

/** Under this much of the duration missing, a cut is rounding, not a lost part of the file. */
const CUT_TOLERANCE_SECONDS = 1;

export function mediaUses(probe: ProbeResult): MediaUses {
  const { video, audio } = probe;
  const frames = video?.decodable === true;
  const speech = audio?.decodable === true;
  const cutShort = probe.durationSeconds - probe.readableSeconds > CUT_TOLERANCE_SECONDS;
  const limits: string[] = [];
  if (video && !frames) limits.push(`${undecodableVideo(video)} Questions about what is seen cannot be answered.`);
  if (audio && !speech) limits.push(`${undecodableAudio(audio)} Nothing said in it can be heard.`);
  if (!audio && frames) limits.push('It has no audio track.');
  if (cutShort) {
    limits.push(
      `The file is incomplete: only the first ${formatTimestampFloor(probe.readableSeconds)} of ${formatTimestampFloor(probe.durationSeconds)} can be read, so questions use that part.`,
    );
  }
  return { frames, speech, readableSeconds: cutShort ? probe.readableSeconds : probe.durationSeconds, cutShort, limits };
}
