import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaClient, type MediaFile } from '../../src/media/media-client';
import { checkElementPlayback, choosePlayback } from '../../src/ui/playback';
import { fixtureFile, readFrame, rms } from './media-helpers';

let client: MediaClient;
let transport: MediaFile;
/** The transport stream's timestamps start late (ffmpeg's mux delay): the time of its frame 0. */
let offset: number;

beforeAll(async () => {
  client = new MediaClient();
  transport = await client.open(await fixtureFile('counter.m2t'));
  const first = await transport.frameAt(0, 320);
  expect((await readFrame({ ...first, requestedTime: 0 })).index).toBe(0);
  offset = first.timestamp;
  first.image.close();
});

afterAll(() => client.dispose());

function nextEvent(target: EventTarget, type: string): Promise<Event> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

/** Frames the worker holds and playback streams it still runs: both 0 whenever nothing plays. */
async function workerHolds(): Promise<{ liveFrames: number; playbackStreams: number }> {
  const { liveFrames, playbackStreams } = await client.stats();
  return { liveFrames, playbackStreams };
}
const NOTHING = { liveFrames: 0, playbackStreams: 0 };

describe('the <video> element and MPEG-TS in this Chromium', () => {
  /** Loads `name` into a fresh <video> until it fails or knows its size. */
  async function tryElement(name: string): Promise<HTMLVideoElement> {
    const video = document.createElement('video');
    video.muted = true;
    const url = URL.createObjectURL(await fixtureFile(name));
    video.src = url;
    await Promise.race([nextEvent(video, 'error'), nextEvent(video, 'loadedmetadata')]);
    URL.revokeObjectURL(url);
    return video;
  }

  it('cannot show the transport stream, so the frame player is chosen', async () => {
    const canPlayType = (type: string) => document.createElement('video').canPlayType(type);
    expect(transport.probe.container).toBe('MPEG Transport Stream');
    expect(transport.probe.video).toMatchObject({ codec: 'avc', decodable: true, displayWidth: 320 });
    expect(choosePlayback(transport.probe, canPlayType)).toEqual({
      mode: 'frames',
      reason: "This browser's player cannot play MPEG-TS; frames are drawn from the file instead, with its audio.",
    });
    // Without that choice the element shows no picture: an error, or (this Chromium) sound only.
    const video = await tryElement('counter.m2t');
    expect(video.error !== null || video.videoWidth === 0).toBe(true);
    expect(checkElementPlayback(transport.probe, video)?.mode).toBe('frames');
  });

  it('plays the same packets in MP4, so the element is kept there', async () => {
    const mp4 = await client.open(await fixtureFile('counter.mp4'));
    const canPlayType = (type: string) => document.createElement('video').canPlayType(type);
    expect(choosePlayback(mp4.probe, canPlayType).mode).toBe('element');
    const video = await tryElement('counter.mp4');
    expect([video.error, video.videoWidth]).toEqual([null, 320]);
    expect(checkElementPlayback(mp4.probe, video)).toBeNull();
    await mp4.close();
  });
});

describe('playback streams from the media worker', () => {
  it('streams frames in order from the one showing at the start, and cancelling closes them all', async () => {
    const reader = transport.playbackFrames(offset + 5.05, 160).getReader();
    const indexes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { value } = await reader.read();
      if (!value) throw new Error('the stream ended early');
      expect([value.width, value.height]).toEqual([160, 90]);
      const { index } = await readFrame({ ...value, requestedTime: value.timestamp });
      expect(value.timestamp).toBeCloseTo(offset + index / 10, 6);
      indexes.push(index);
      value.image.close();
    }
    expect(indexes).toEqual(Array.from({ length: 12 }, (_, i) => 50 + i));
    await reader.cancel();
    expect(await workerHolds()).toEqual(NOTHING);
  });

  it('gives the single frame showing at a time', async () => {
    const frame = await transport.frameAt(offset + 12.34, 320);
    expect((await readFrame({ ...frame, requestedTime: 0 })).index).toBe(123);
    frame.image.close();
    expect(await workerHolds()).toEqual(NOTHING);
  });

  it('streams sound at its own rate with the beep at its time', async () => {
    const reader = transport.playbackAudio(offset + 4).getReader();
    let onset: number | null = null;
    while (onset === null) {
      const { value } = await reader.read();
      if (!value) throw new Error('the stream ended before the beep');
      expect(value.sampleRate).toBe(48_000);
      expect(value.planes).toHaveLength(2);
      const left = value.planes[0]!;
      for (let i = 0; i + 48 <= left.length && onset === null; i += 48) {
        if (rms(left, i, i + 48) > 0.2) onset = value.timestamp + i / value.sampleRate;
      }
    }
    await reader.cancel();
    expect(await workerHolds()).toEqual(NOTHING);
    // The beep at 5 s of the source sounds 5 s after the transport stream's first frame.
    expect(Math.abs(onset - (offset + 5))).toBeLessThan(0.01);
  });
});
