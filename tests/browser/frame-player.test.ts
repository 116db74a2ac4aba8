import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { MediaClient, type MediaFile } from '../../src/media/media-client';
import type { PlaybackFrame } from '../../src/media/types';
import { FramePlayer } from '../../src/ui/frame-player';
import { checkElementPlayback, choosePlayback } from '../../src/ui/playback';
import { fixtureFile, readCanvasFrameIndex, readFrame, rms } from './media-helpers';

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
    await mp4.dispose();
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

describe('FramePlayer', () => {
  let player: FramePlayer;
  let canvas: HTMLCanvasElement;

  beforeEach(() => {
    player = new FramePlayer({ maxSide: 320 });
    document.body.append(player.element);
    canvas = player.element.querySelector('canvas') as HTMLCanvasElement;
  });

  afterEach(async () => {
    await player.dispose();
    player.element.remove();
  });

  it('shows the frame at a time, plays frames in order with sound, and stops decoding on pause and dispose', async () => {
    const button = player.element.querySelector('button') as HTMLButtonElement;
    await player.load(transport);
    expect([canvas.width, canvas.height]).toEqual([320, 180]);
    expect(readCanvasFrameIndex(canvas)).toBe(0);

    await player.seek(offset + 5.05);
    expect(player.currentTime).toBeCloseTo(offset + 5.05, 6);
    expect(readCanvasFrameIndex(canvas)).toBe(50);
    expect(player.element.textContent).toContain('00:06 / 00:17');

    let soundBlocks = 0;
    const { start } = AudioBufferSourceNode.prototype as { start: (this: AudioBufferSourceNode, ...args: Parameters<AudioBufferSourceNode['start']>) => void };
    AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: Parameters<typeof start>) {
      soundBlocks++;
      return start.apply(this, args);
    };
    try {
      /** Frames on the canvas at each `timeupdate`, with the player's time then. */
      const seen: { index: number; time: number }[] = [];
      player.element.addEventListener('timeupdate', () => seen.push({ index: readCanvasFrameIndex(canvas), time: player.currentTime }));
      const playing = nextEvent(player.element, 'play');
      await userEvent.click(button);
      await playing;
      expect(player.paused).toBe(false);
      expect(button.textContent).toBe('Pause');
      while (seen.length < 6) await nextEvent(player.element, 'timeupdate');
      expectPlayedInOrder(seen, 50);

      // Seeking while playing moves the running playback.
      await player.seek(offset + 10);
      seen.length = 0;
      while (seen.length < 6) await nextEvent(player.element, 'timeupdate');
      expectPlayedInOrder(seen, 100);
      expect(soundBlocks).toBeGreaterThan(0);
    } finally {
      AudioBufferSourceNode.prototype.start = start;
    }

    await player.pause();
    expect(player.paused).toBe(true);
    expect(button.textContent).toBe('Play');
    expect(await workerHolds()).toEqual(NOTHING);

    await player.play();
    await nextEvent(player.element, 'timeupdate');
    await player.dispose();
    await player.dispose();
    expect(player.paused).toBe(true);
    expect(await workerHolds()).toEqual(NOTHING);
  });

  it('draws only the last of quick seeks while paused', async () => {
    await player.load(transport);
    let errors = 0;
    player.element.addEventListener('error', () => errors++);
    const first = player.seek(offset + 3);
    await player.seek(offset + 8.25);
    await first;
    // The first seek's frame job was cancelled, which is no error to show.
    expect(errors).toBe(0);
    expect(readCanvasFrameIndex(canvas)).toBe(82);
    expect(player.currentTime).toBeCloseTo(offset + 8.25, 6);
    expect(await client.stats()).toMatchObject({ ...NOTHING, runningJobs: 0 });
  });

  it('plays a file without sound on its own clock to the end', async () => {
    const file = await client.open(await fixtureFile('video-only.mp4'));
    await player.load(file);
    const ended = nextEvent(player.element, 'ended');
    await player.play();
    await ended;
    expect(player.paused).toBe(true);
    expect(player.currentTime).toBeCloseTo(file.probe.durationSeconds, 6);
    expect(readCanvasFrameIndex(canvas)).toBe(29);
    expect(await workerHolds()).toEqual(NOTHING);
    await file.dispose();
  });
});

/**
 * The canvas moved forward through the frames from `first` on, never back, and never showed a
 * frame before its time.
 */
function expectPlayedInOrder(seen: readonly { index: number; time: number }[], first: number): void {
  const indexes = seen.map((s) => s.index);
  expect(indexes[0]).toBeGreaterThanOrEqual(first);
  for (let i = 1; i < indexes.length; i++) expect(indexes[i]).toBeGreaterThanOrEqual(indexes[i - 1]!);
  expect(indexes.at(-1)).toBeGreaterThan(indexes[0]!);
  for (const { index, time } of seen) expect(offset + index / 10).toBeLessThanOrEqual(time + 1e-6);
}

describe('FramePlayer on a decoder slower than real time', () => {
  /** A silent 60 s file whose frames (25 fps) take `decodeMs` each to arrive; records every stream's start and every bitmap. */
  function slowFile(decodeMs: number) {
    const starts: number[] = [];
    const bitmaps: ImageBitmap[] = [];
    const bitmap = async () => {
      const made = await createImageBitmap(new ImageData(4, 4));
      bitmaps.push(made);
      return made;
    };
    const file = {
      probe: { durationSeconds: 60, video: { decodable: true, displayWidth: 64, displayHeight: 36 }, audio: null },
      playbackFrames(start: number) {
        starts.push(start);
        let time = start;
        return new ReadableStream<PlaybackFrame>(
          {
            async pull(controller) {
              await new Promise((done) => setTimeout(done, decodeMs));
              const image = await bitmap();
              try {
                controller.enqueue({ timestamp: time, width: 4, height: 4, image });
              } catch {
                // Cancelled while decoding: the frame is dropped here, as the media client drops it.
                image.close();
              }
              time += 0.04;
            },
          },
          { highWaterMark: 0 },
        );
      },
      frameAt: async (time: number) => ({ timestamp: time, width: 4, height: 4, image: await bitmap() }),
    } as unknown as MediaFile;
    return { file, starts, bitmaps };
  }

  it('starts again ahead of the clock when its frames fall a second behind, and closes every frame', async () => {
    const { file, starts, bitmaps } = slowFile(120);
    const player = new FramePlayer();
    await player.load(file);
    await player.play();
    await new Promise((done) => setTimeout(done, 4000));
    const clock = player.currentTime;
    await player.dispose();
    // At a third of real time the first stream falls a second behind within ~1.5 s.
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts[1]).toBeGreaterThan(1);
    // Every restart aims ahead of where the clock was, so the last one is not far behind the end.
    expect(clock - starts.at(-1)!).toBeLessThan(3);
    expect(bitmaps.filter((made) => made.width !== 0)).toEqual([]);
  });

  it('a decoder that keeps up is never restarted', async () => {
    const { file, starts } = slowFile(5);
    const player = new FramePlayer();
    await player.load(file);
    await player.play();
    await new Promise((done) => setTimeout(done, 2500));
    await player.dispose();
    expect(starts).toEqual([0]);
  });
});
