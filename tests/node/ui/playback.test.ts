import { describe, expect, it } from 'vitest';
import type { AudioTrackInfo, ProbeResult, VideoTrackInfo } from '../../../src/media/types';
import { checkElementPlayback, choosePlayback } from '../../../src/ui/playback';

/** What `canPlayType` answered in the browser tests' Chromium (156, Linux) for these types. */
const chromiumAnswers: Record<string, string> = {
  'video/mp4': 'maybe',
  'video/mp4; codecs="avc1.64000c, mp4a.40.2"': 'probably',
  'video/mp4; codecs="avc1.64000c"': 'probably',
  'video/mp4; codecs="mp4a.40.2"': 'probably',
  'video/mp4; codecs="avc1.64000c, ac-3"': '',
  'video/mp4; codecs="ac-3"': '',
  'video/mp4; codecs="hvc1.1.6.L93.B0, mp4a.40.2"': '',
  'video/mp4; codecs="hvc1.1.6.L93.B0"': '',
  'video/MP2T': '',
  'video/MP2T; codecs="avc1.64000c, mp4a.40.2"': '',
  'audio/mp4': 'maybe',
  'audio/mp4; codecs="ac-3"': '',
};
const canPlayType = (type: string): string => {
  const answer = chromiumAnswers[type];
  if (answer === undefined) throw new Error(`no answer recorded for ${type}`);
  return answer;
};

function videoTrack(codec: string, codecString: string, decodable = true): VideoTrackInfo {
  return {
    codec, codecString, decodable, codedWidth: 320, codedHeight: 180, displayWidth: 320, displayHeight: 180,
    rotation: 0, pixelAspectRatio: { num: 1, den: 1 }, frameRate: 10, variableFrameRate: false,
  };
}
function audioTrack(codec: string, codecString: string, decodable = true): AudioTrackInfo {
  return { codec, codecString, decodable, blockedByPolicy: false, sampleRate: 48_000, channels: 2 };
}
const h264 = videoTrack('avc', 'avc1.64000c');
const aac = audioTrack('aac', 'mp4a.40.2');

function probe(container: string, mimeType: string, video: VideoTrackInfo | null, audio: AudioTrackInfo | null): ProbeResult {
  return { container, mimeType, fileSize: 1000, durationSeconds: 60, readableSeconds: 60, video, audio };
}
const mp4 = (codecs: string, video: VideoTrackInfo | null, audio: AudioTrackInfo | null) =>
  probe('MP4', `video/mp4; codecs="${codecs}"`, video, audio);

describe('choosePlayback', () => {
  it('keeps the <video> element for what it plays', () => {
    expect(choosePlayback(mp4('avc1.64000c, mp4a.40.2', h264, aac), canPlayType)).toEqual({ mode: 'element', reason: null });
  });

  it('draws frames, with sound, for a container the element cannot play', () => {
    const ts = probe('MPEG Transport Stream', 'video/MP2T; codecs="avc1.64000c, mp4a.40.2"', h264, aac);
    expect(choosePlayback(ts, canPlayType)).toEqual({
      mode: 'frames',
      reason: "This browser's player cannot play MPEG-TS; frames are drawn from the file instead, with its audio.",
    });
  });

  it('names the codec the element lacks when the container is fine', () => {
    const ac3 = audioTrack('ac3', 'ac-3');
    expect(choosePlayback(mp4('avc1.64000c, ac-3', h264, ac3), canPlayType)).toEqual({
      mode: 'frames',
      reason: "This browser's player cannot play AC-3 audio; frames are drawn from the file instead, with its audio.",
    });
    const silent = choosePlayback(mp4('avc1.64000c, ac-3', h264, { ...ac3, decodable: false }), canPlayType);
    expect(silent).toEqual({
      mode: 'frames',
      reason:
        "This browser's player cannot play AC-3 audio; frames are drawn from the file instead, " +
        'without sound (its AC-3 audio cannot be decoded here).',
    });
  });

  it('plays only the sound when neither player can show the picture', () => {
    const hevc = videoTrack('hevc', 'hvc1.1.6.L93.B0', false);
    expect(choosePlayback(mp4('hvc1.1.6.L93.B0, mp4a.40.2', hevc, aac), canPlayType)).toEqual({
      mode: 'frames',
      reason: 'This browser cannot show HEVC (H.265) video; only the sound plays, decoded from the file.',
    });
  });

  it('decodes the sound of an audio-only file the element cannot play', () => {
    const m4a = probe('MP4', 'audio/mp4; codecs="ac-3"', null, audioTrack('ac3', 'ac-3'));
    expect(choosePlayback(m4a, canPlayType)).toEqual({
      mode: 'frames',
      reason: "This browser's player cannot play AC-3 audio; its sound is decoded from the file instead.",
    });
  });

  it('says so when nothing of the file can be played', () => {
    const hevc = videoTrack('hevc', 'hvc1.1.6.L93.B0', false);
    expect(choosePlayback(mp4('hvc1.1.6.L93.B0', hevc, null), canPlayType)).toEqual({
      mode: 'none',
      reason: "This browser can neither play nor decode this file's HEVC (H.265) video.",
    });
    const both = choosePlayback(mp4('hvc1.1.6.L93.B0, ac-3', hevc, audioTrack('ac3', 'ac-3', false)), () => '');
    expect(both.mode).toBe('none');
    expect(both.reason).toBe("This browser can neither play nor decode this file's HEVC (H.265) video and AC-3 audio.");
  });
});

describe('checkElementPlayback', () => {
  const file = mp4('avc1.64000c, mp4a.40.2', h264, aac);
  const error = { code: 4, message: 'DEMUXER_ERROR_COULD_NOT_OPEN' } as MediaError;

  it('leaves the element alone when it shows the picture', () => {
    expect(checkElementPlayback(file, { error: null, videoWidth: 320 })).toBeNull();
  });

  it('falls back to frames after an error', () => {
    expect(checkElementPlayback(file, { error, videoWidth: 0 })).toEqual({
      mode: 'frames',
      reason: "This browser's player could not play this file; frames are drawn from the file instead, with its audio.",
    });
  });

  it('falls back when the element loaded sound only from a file with a picture', () => {
    expect(checkElementPlayback(file, { error: null, videoWidth: 0 })?.mode).toBe('frames');
    const audioOnly = probe('MP4', 'audio/mp4; codecs="mp4a.40.2"', null, aac);
    expect(checkElementPlayback(audioOnly, { error: null, videoWidth: 0 })).toBeNull();
  });
});
