/**
 * Which player shows an opened file: the page's `<video>` element where it can play the file,
 * else the frame player (frames and sound decoded by the media worker). Pure, so it is decided the
 * same way in tests as in the page; the element's `canPlayType` is passed in.
 */
import { codecName, containerName } from '../media/codec-names';
import type { ProbeResult } from '../media/types';

/**
 * - `element`: the `<video>` element plays the file.
 * - `frames`: the frame player shows it (with no picture when only the sound can be decoded).
 * - `none`: neither can show or sound it.
 */
export type PlaybackMode = 'element' | 'frames' | 'none';

export interface PlaybackChoice {
  mode: PlaybackMode;
  /** Why the `<video>` element is not used, for the person; null when it is. */
  reason: string | null;
}

/** `HTMLMediaElement.prototype.canPlayType`, bound to an element. */
export type CanPlayType = (type: string) => string;

/** From the probe alone, before the element has tried the file. */
export function choosePlayback(probe: ProbeResult, canPlayType: CanPlayType): PlaybackChoice {
  if (canPlayType(probe.mimeType) !== '') return { mode: 'element', reason: null };
  return insteadOfElement(probe, `This browser's player cannot play ${whatElementLacks(probe, canPlayType)}`);
}

/**
 * What to do once the `<video>` element has tried the file: call it on the element's `error` and
 * `loadedmetadata` events. A choice when the element failed, else null. Failing includes loading
 * without a picture the file has: Chromium's player opens some files it cannot show (MPEG-TS on
 * Linux) as sound only, with no error.
 */
export function checkElementPlayback(
  probe: ProbeResult,
  video: { readonly error: MediaError | null; readonly videoWidth: number },
): PlaybackChoice | null {
  const failed = video.error !== null || (probe.video !== null && video.videoWidth === 0);
  return failed ? insteadOfElement(probe, "This browser's player could not play this file") : null;
}

function whatElementLacks(probe: ProbeResult, canPlayType: CanPlayType): string {
  const container = probe.mimeType.split(';')[0]?.trim() ?? '';
  if (canPlayType(container) === '') return containerName(probe.container);
  for (const [track, kind] of [
    [probe.video, 'video'],
    [probe.audio, 'audio'],
  ] as const) {
    if (track?.codecString && canPlayType(`${container}; codecs="${track.codecString}"`) === '') {
      return `${codecName(track.codec)} ${kind}`;
    }
  }
  return 'this file';
}

function insteadOfElement(probe: ProbeResult, lead: string): PlaybackChoice {
  const { video, audio } = probe;
  if (video?.decodable) {
    const sound = audio?.decodable
      ? ', with its audio'
      : audio
        ? `, without sound (its ${codecName(audio.codec)} audio cannot be decoded here)`
        : '';
    return { mode: 'frames', reason: `${lead}; frames are drawn from the file instead${sound}.` };
  }
  if (audio?.decodable) {
    if (!video) return { mode: 'frames', reason: `${lead}; its sound is decoded from the file instead.` };
    return { mode: 'frames', reason: `This browser cannot show ${codecName(video.codec)} video; only the sound plays, decoded from the file.` };
  }
  const tracks = [video && `${codecName(video.codec)} video`, audio && `${codecName(audio.codec)} audio`].filter(Boolean);
  return { mode: 'none', reason: `This browser can neither play nor decode this file's ${tracks.join(' and ')}.` };
}
