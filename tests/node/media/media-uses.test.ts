import { describe, expect, it } from 'vitest';
import { mediaUses } from '../../../src/media/media-uses';
import type { AudioTrackInfo, ProbeResult, VideoTrackInfo } from '../../../src/media/types';

function probe(video: Partial<VideoTrackInfo> | null, audio: Partial<AudioTrackInfo> | null, readableSeconds = 600): ProbeResult {
  return {
    container: 'MP4',
    mimeType: 'video/mp4',
    fileSize: 1,
    durationSeconds: 600,
    readableSeconds,
    video: video as VideoTrackInfo | null,
    audio: audio as AudioTrackInfo | null,
  };
}

describe('mediaUses', () => {
  it('promises everything for a complete file whose tracks both decode, and lists no limits', () => {
    expect(mediaUses(probe({ codec: 'avc', decodable: true }, { codec: 'aac', decodable: true }))).toEqual({
      frames: true,
      speech: true,
      readableSeconds: 600,
      cutShort: false,
      limits: [],
    });
  });

  it('HEVC video with AAC audio: speech only, and says why there are no frames', () => {
    const uses = mediaUses(probe({ codec: 'hevc', decodable: false }, { codec: 'aac', decodable: true }));
    expect(uses).toMatchObject({ frames: false, speech: true });
    expect(uses.limits).toEqual([expect.stringContaining('HEVC (H.265)')]);
  });

  it('DTS audio: frames only, and never claims speech', () => {
    const uses = mediaUses(probe({ codec: 'avc', decodable: true }, { codec: 'dts', decodable: false }));
    expect(uses).toMatchObject({ frames: true, speech: false });
    expect(uses.limits).toEqual([expect.stringMatching(/DTS, which this browser cannot decode\. Nothing said in it can be heard\./)]);
  });

  it('AC-3 whose decoder the page\'s CSP blocks says so instead of blaming the browser', () => {
    const uses = mediaUses(probe({ codec: 'avc', decodable: true }, { codec: 'ac3', decodable: false, blockedByPolicy: true }));
    expect(uses.speech).toBe(false);
    expect(uses.limits).toEqual([expect.stringContaining('AC-3, whose decoder this page\'s Content-Security-Policy does not allow to start')]);
  });

  it('an audio-only file whose audio does not decode can be used for nothing', () => {
    const uses = mediaUses(probe(null, { codec: 'dts', decodable: false }));
    expect(uses).toMatchObject({ frames: false, speech: false });
  });

  it('a file cut short says how much of it can be read', () => {
    const uses = mediaUses(probe({ codec: 'avc', decodable: true }, { codec: 'aac', decodable: true }, 130.6));
    expect(uses).toMatchObject({ cutShort: true, readableSeconds: 130.6 });
    expect(uses.limits).toEqual(['The file is incomplete: only the first 00:02:10 of 00:10:00 can be read, so questions use that part.']);
  });

  it('a readable end within a second of the duration is rounding, not a cut', () => {
    expect(mediaUses(probe({ codec: 'avc', decodable: true }, null, 599.5))).toMatchObject({ cutShort: false, readableSeconds: 600 });
  });
});
