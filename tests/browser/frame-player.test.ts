import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaClient, type MediaFile } from '../../src/media/media-client';
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

/** Frames the worker holds and playback streams it still runs: both 0 whenever nothing plays. */
async function workerHolds(): Promise<{ liveFrames: number; playbackStreams: number }> {
  const { liveFrames, playbackStreams } = await client.stats();
  return { liveFrames, playbackStreams };
}
const NOTHING = { liveFrames: 0, playbackStreams: 0 };

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
