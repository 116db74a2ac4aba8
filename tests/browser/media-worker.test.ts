import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors';
import { MediaClient, type MediaFile } from '../../src/media/media-client';
import { AUDIO_SAMPLE_RATE } from '../../src/media/types';
import { colourForSecond } from '../fixtures/frame-code';
import { fixtureFile, readFrame, rms } from './media-helpers';

let client: MediaClient;
let counter: MediaFile;

beforeAll(async () => {
  client = new MediaClient();
  counter = await client.open(await fixtureFile('counter.mp4'));
});

afterAll(() => client.dispose());

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).message.length).toBeGreaterThan(10);
  return error as AppError;
}

describe('probe', () => {
  it('reads container, duration, tracks and codecs from metadata', () => {
    const { probe } = counter;
    expect(probe.container).toBe('MP4');
    expect(probe.durationSeconds).toBeCloseTo(60, 1);
    expect(probe.video).toMatchObject({
      codec: 'avc',
      decodable: true,
      displayWidth: 320,
      displayHeight: 180,
      rotation: 0,
      variableFrameRate: false,
    });
    expect(probe.video?.frameRate).toBeCloseTo(10, 3);
    expect(probe.audio).toMatchObject({ codec: 'aac', decodable: true, sampleRate: 48_000, channels: 2 });
  });

  it('reads WebM with VP9 and Opus', async () => {
    const webm = await client.open(await fixtureFile('counter.webm'));
    expect(webm.probe.video).toMatchObject({ codec: 'vp9', decodable: true });
    expect(webm.probe.audio).toMatchObject({ codec: 'opus', decodable: true });
    const frames = await webm.skim({ mode: 'exact', count: 5 });
    expect(frames).toHaveLength(5);
    // ffmpeg starts this WebM's video a few ms late; each frame is the one showing at the asked time.
    for (const frame of frames) {
      const { index } = await readFrame(frame);
      expect(frame.timestamp - index / 10).toBeCloseTo(frames[0]!.timestamp - 0.1 * (await readFrame(frames[0]!)).index, 6);
      expect(frame.timestamp).toBeLessThanOrEqual(frame.requestedTime);
      expect(frame.timestamp + 0.1).toBeGreaterThan(frame.requestedTime);
    }
    await webm.dispose();
  });
});

describe('skim', () => {
  it('fast mode returns only the nearest key frames, each once, with true timestamps', async () => {
    const frames = await counter.skim();
    // 60 requested instants (1 fps), key frames every 2 s: 30 distinct key frames.
    expect(frames).toHaveLength(30);
    for (const frame of frames) {
      const { index, background } = await readFrame(frame);
      expect(index % 20).toBe(0);
      expect(frame.timestamp).toBeCloseTo(index / 10, 6);
      expect(Math.abs(frame.requestedTime - frame.timestamp)).toBeLessThanOrEqual(1);
      const expected = colourForSecond(Math.floor(frame.timestamp));
      for (let c = 0; c < 3; c++) expect(Math.abs((background[c] ?? 0) - expected[c]!)).toBeLessThan(25);
      expect(frame.image).toBeInstanceOf(ImageBitmap);
    }
    expect(new Set(frames.map((f) => f.timestamp)).size).toBe(frames.length);
  });

  it('exact mode returns the frame showing at each requested time', async () => {
    const frames = await counter.skim({ mode: 'exact' });
    expect(frames).toHaveLength(60);
    for (const frame of frames) {
      const { index } = await readFrame(frame);
      expect(index).toBe(Math.floor(frame.requestedTime * 10 + 1e-6));
      expect(frame.timestamp).toBeCloseTo(index / 10, 6);
    }
  });

  it('scales the longest side down to maxSide and never enlarges', async () => {
    const small = await counter.skim({ count: 3, maxSide: 160 });
    expect(small.map((f) => [f.width, f.height])).toEqual([[160, 90], [160, 90], [160, 90]]);
    const [big] = await counter.skim({ count: 1, maxSide: 4000 });
    expect([big?.width, big?.height]).toEqual([320, 180]);
    expect((await readFrame(small[0]!)).index).toBeGreaterThanOrEqual(0);
  });
});

describe('extract', () => {
  it('returns evenly spaced high-resolution frames of a window as images', async () => {
    const frames = await counter.extract({ start: 10, end: 19 });
    expect(frames).toHaveLength(10);
    const indexes = [];
    for (const frame of frames) {
      expect(frame.image).toBeInstanceOf(Blob);
      expect((frame.image as Blob).type).toBe('image/jpeg');
      indexes.push((await readFrame(frame)).index);
    }
    expect(indexes).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190]);
  });

  it('clamps a window past the end and rejects an empty one', async () => {
    const frames = await counter.extract({ start: 55, end: 500, count: 3 });
    expect(frames.at(-1)?.timestamp).toBeGreaterThan(59);
    await expectAppError(counter.extract({ start: 30, end: 30 }), 'invalid-argument');
  });
});

describe('audio', () => {
  it('returns a window as 16 kHz mono with sounds at the right times', async () => {
    const samples = await counter.audio({ start: 14, end: 17 });
    expect(samples).toBeInstanceOf(Float32Array);
    expect(samples.length).toBe(3 * AUDIO_SAMPLE_RATE);
    // The beep sounds from 15.0 to 15.5 s: offsets 1.0 to 1.5 s into the window.
    const at = (t: number) => Math.round(t * AUDIO_SAMPLE_RATE);
    expect(rms(samples, at(1.05), at(1.45))).toBeGreaterThan(0.25);
    expect(rms(samples, at(0.1), at(0.95))).toBeLessThan(0.02);
    expect(rms(samples, at(1.55), at(2.9))).toBeLessThan(0.02);
    let onset = 0;
    while (Math.abs(samples[onset] ?? 0) < 0.1) onset++;
    expect(Math.abs(onset / AUDIO_SAMPLE_RATE - 1)).toBeLessThan(0.01);
  });

  it('streams the whole file in chunks that line up in time', async () => {
    const stream = await counter.audioStream({ start: 0, end: 60 }, 7);
    const reader = stream.getReader();
    let expectedStart = 0;
    const beeps: number[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      expect(value.start).toBeCloseTo(expectedStart, 6);
      // 10 ms blocks: a beep starts where a loud block follows silence.
      for (let i = 0; i + 160 <= value.samples.length; i += 160) {
        const t = value.start + i / AUDIO_SAMPLE_RATE;
        if (rms(value.samples, i, i + 160) > 0.2 && (beeps.length === 0 || t - beeps.at(-1)! > 1)) beeps.push(t);
      }
      expectedStart += value.samples.length / AUDIO_SAMPLE_RATE;
      total += value.samples.length;
    }
    expect(total / AUDIO_SAMPLE_RATE).toBeCloseTo(60, 1);
    expect(beeps.map((t) => Math.round(t * 10) / 10)).toEqual([5, 15, 25, 35, 45, 55]);
  });

  it('stops decoding when the stream is cancelled', async () => {
    const stream = await counter.audioStream({ start: 0, end: 60 }, 1);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect((await client.stats()).runningJobs).toBe(0);
  });
});

/** The fixtures' beep sounds from 5.0 to 5.5 s; `samples` start at 4 s. */
function expectBeepAt5s(samples: Float32Array): void {
  const at = (t: number) => Math.round((t - 4) * AUDIO_SAMPLE_RATE);
  expect(rms(samples, at(5.05), at(5.45))).toBeGreaterThan(0.2);
  expect(rms(samples, at(4.1), at(4.9))).toBeLessThan(0.02);
  expect(rms(samples, at(5.6), at(6.9))).toBeLessThan(0.02);
}

describe('Dolby Digital audio, decoded by the @mediabunny/ac3 extension', () => {
  it.each([
    ['AC-3 in MP4', 'ac3.mp4', 'ac3'],
    ['E-AC-3 in Matroska', 'eac3.mkv', 'eac3'],
  ])('%s decodes, with its sounds at the right times', async (_, name, codec) => {
    const file = await client.open(await fixtureFile(name));
    // WebCodecs alone cannot: the extension is what makes it decodable.
    expect((await AudioDecoder.isConfigSupported({ codec: file.probe.audio?.codecString ?? '', sampleRate: 48_000, numberOfChannels: 1 })).supported).toBe(false);
    expect(file.probe.audio).toMatchObject({ codec, decodable: true, channels: 1, sampleRate: 48_000 });
    expectBeepAt5s(await file.audio({ start: 4, end: 7 }));
    const reader = (await file.audioStream({ start: 0, end: 12 }, 5)).getReader();
    let seconds = 0;
    for (let next = await reader.read(); !next.done; next = await reader.read()) seconds += next.value.samples.length / AUDIO_SAMPLE_RATE;
    expect(Math.abs(seconds - 12)).toBeLessThan(0.05);
    await file.dispose();
  });
});

describe('unusual but valid files', () => {
  it('turns rotated video upright', async () => {
    const file = await client.open(await fixtureFile('rotated.mp4'));
    expect(file.probe.video).toMatchObject({ rotation: 90, codedWidth: 320, codedHeight: 180, displayWidth: 180, displayHeight: 320 });
    const frames = await file.skim({ mode: 'exact', count: 4 });
    for (const frame of frames) {
      const read = await readFrame(frame);
      expect([read.width, read.height]).toEqual([180, 320]);
      expect(read.index).toBe(Math.floor(frame.requestedTime * 10 + 1e-6));
    }
    await file.dispose();
  });

  it('applies non-square pixel aspect ratios', async () => {
    const file = await client.open(await fixtureFile('anamorphic.mp4'));
    expect(file.probe.video).toMatchObject({ codedWidth: 240, displayWidth: 320, displayHeight: 180, pixelAspectRatio: { num: 4, den: 3 } });
    const [frame] = await file.skim({ count: 1, mode: 'exact' });
    const read = await readFrame(frame!);
    expect([read.width, read.height]).toEqual([320, 180]);
    expect(read.index).toBeGreaterThanOrEqual(0);
    await file.dispose();
  });

  it('handles variable frame rate with true timestamps', async () => {
    const file = await client.open(await fixtureFile('vfr.mp4'));
    expect(file.probe.video?.variableFrameRate).toBe(true);
    const frames = await file.extract({ start: 4.9, end: 7.1, count: 5 });
    const timeOf = (n: number) => (n < 50 ? n * 0.1 : 5 + (n - 50) * 0.25);
    for (const frame of frames) {
      const { index } = await readFrame(frame);
      expect(frame.timestamp).toBeCloseTo(timeOf(index), 3);
      expect(frame.timestamp).toBeLessThanOrEqual(frame.requestedTime + 1e-6);
      expect(timeOf(index + 1)).toBeGreaterThan(frame.requestedTime);
    }
    await file.dispose();
  });

  it('starts at the first real key frame when the stream does not begin with one', async () => {
    const file = await client.open(await fixtureFile('no-keyframe-start.mp4'));
    for (const mode of ['fast', 'exact'] as const) {
      const frames = await file.skim({ mode, count: 4 });
      expect(frames.length).toBeGreaterThan(0);
      const first = await readFrame(frames[0]!);
      expect(first.index).toBe(20);
      expect(frames[0]!.timestamp).toBeCloseTo(2, 6);
      for (const frame of frames) expect((await readFrame(frame)).index).toBeGreaterThanOrEqual(20);
    }
    await file.dispose();
  });
});

describe('bad input', () => {
  async function expectOpenError(file: File, code: string): Promise<void> {
    await expectAppError(client.open(file), code);
    // The worker is still alive and the next file opens fine.
    const again = await client.open(await fixtureFile('video-only.mp4'));
    expect(again.probe.video?.decodable).toBe(true);
    await again.dispose();
  }

  it('rejects a text file', () => expectOpenError(new File(['just some notes\n'.repeat(100)], 'notes.mp4'), 'not-media'));

  it('rejects an empty file', () => expectOpenError(new File([], 'empty.mp4'), 'empty-file'));

  it('rejects a PNG renamed to .mp4', async () => {
    const canvas = new OffscreenCanvas(64, 64);
    canvas.getContext('2d')?.fillRect(0, 0, 32, 32);
    const png = await canvas.convertToBlob({ type: 'image/png' });
    await expectOpenError(new File([png], 'photo.mp4', { type: 'video/mp4' }), 'not-media');
  });

  it('reports a truncated file clearly', async () => {
    const whole = await fixtureFile('counter.mp4');
    const cut = new File([whole.slice(0, Math.floor(whole.size * 0.4))], 'cut.mp4');
    const file = await client.open(cut).catch((e: unknown) => e);
    if (file instanceof AppError) {
      expect(file.code).toBe('truncated');
    } else {
      // The index survived: early frames decode; frames and audio past the cut fail clearly.
      const opened = file as MediaFile;
      // 40% of the bytes hold about the first 12 s (a key frame every 2 s).
      expect(opened.probe.durationSeconds).toBe(60);
      expect(opened.probe.readableSeconds).toBeGreaterThan(10);
      expect(opened.probe.readableSeconds).toBeLessThan(14);
      expect((await opened.extract({ start: 1, end: 2, count: 2 })).length).toBe(2);
      await expectAppError(opened.extract({ start: 50, end: 59, count: 3 }), 'truncated');
      // The skim covers the readable part, one frame a second, and none comes from past the cut
      // (the last video packet that can be read is at 12.1 s; a key frame may lie just past the
      // audio's end, which sets readableSeconds).
      for (const mode of ['fast', 'exact'] as const) {
        const frames = await opened.skim({ mode, maxSide: 64 });
        expect(frames.length).toBeGreaterThanOrEqual(mode === 'fast' ? 5 : 10);
        expect(Math.max(...frames.map((f) => f.timestamp))).toBeLessThanOrEqual(12.1);
        for (const f of frames) if (f.image instanceof ImageBitmap) f.image.close();
      }
      await expectAppError(opened.audio({ start: 40, end: 50 }), 'truncated');
      expect((await opened.audio({ start: 1, end: 3 })).length).toBe(2 * AUDIO_SAMPLE_RATE);
      await opened.dispose();
    }
    expect((await counter.skim({ count: 2 })).length).toBe(2);
  });

  it('says when the browser cannot decode the codec (HEVC)', async () => {
    const file = await client.open(await fixtureFile('hevc.mp4'));
    expect(file.probe.video?.codec).toBe('hevc');
    const canDecode = await VideoDecoder.isConfigSupported({ codec: file.probe.video?.codecString ?? 'hvc1' });
    expect(file.probe.video?.decodable).toBe(canDecode.supported === true);
    if (!file.probe.video?.decodable) {
      const error = await expectAppError(file.skim(), 'unsupported-codec');
      expect(error.message).toContain('HEVC');
    }
    await file.dispose();
  });

  it('HEVC video with AAC audio: no frames, but the audio decodes at the right times', async () => {
    const file = await client.open(await fixtureFile('hevc-aac.mp4'));
    expect(file.probe.video).toMatchObject({ codec: 'hevc', decodable: false });
    expect(file.probe.audio).toMatchObject({ codec: 'aac', decodable: true });
    await expectAppError(file.skim(), 'unsupported-codec');
    expectBeepAt5s(await file.audio({ start: 4, end: 7 }));
    await file.dispose();
  });

  it('DTS audio is reported as not decodable, and asking for it says so', async () => {
    const file = await client.open(await fixtureFile('dts.mkv'));
    expect(file.probe.audio).toMatchObject({ codec: 'dts', decodable: false, channels: 2 });
    expect(file.probe.video?.decodable).toBe(true);
    const error = await expectAppError(file.audio({ start: 0, end: 2 }), 'unsupported-codec');
    expect(error.message).toContain('DTS');
    expect((await file.skim({ count: 2, maxSide: 64 })).length).toBe(2);
    await file.dispose();
  });

  it('probes audio-only files and says there are no frames', async () => {
    const file = await client.open(await fixtureFile('audio-only.m4a'));
    expect(file.probe.video).toBeNull();
    expect(file.probe.audio?.codec).toBe('aac');
    await expectAppError(file.skim(), 'no-video');
    expect((await file.audio({ start: 4, end: 6 })).length).toBe(2 * AUDIO_SAMPLE_RATE);
    await file.dispose();
  });

  it('says when a video has no audio', async () => {
    const file = await client.open(await fixtureFile('video-only.mp4'));
    expect(file.probe.audio).toBeNull();
    await expectAppError(file.audio({ start: 0, end: 1 }), 'no-audio');
    await file.dispose();
  });
});

describe('dispose', () => {
  it('a disposed file answers every later call with a disposed error, and disposing twice is harmless', async () => {
    const file = await client.open(await fixtureFile('video-only.mp4'));
    await file.dispose();
    await file.dispose();
    await expectAppError(file.skim({ count: 1 }), 'disposed');
    await expectAppError(file.audio({ start: 0, end: 1 }), 'disposed');
    expect(() => file.playbackFrames(0, 64)).toThrow(/closed/);
    expect((await client.stats()).openFiles).toBe(1);
  });

  it('a disposed reader refuses to open files', async () => {
    const other = new MediaClient();
    other.dispose();
    other.dispose();
    await expectAppError(other.open(await fixtureFile('video-only.mp4')), 'disposed');
  });
});

describe('jobs and resources', () => {
  it('cancels a running job and stays usable', async () => {
    const controller = new AbortController();
    const running = counter.skim({ mode: 'exact', count: 60 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expectAppError(running, 'cancelled');
    expect(await client.stats()).toMatchObject({ runningJobs: 0, liveFrames: 0 });
    expect((await counter.skim({ count: 3 })).length).toBe(3);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expectAppError(counter.skim({}, { signal: AbortSignal.abort() }), 'cancelled');
  });

  it('closes every decoded frame across repeated skims', async () => {
    for (let i = 0; i < 15; i++) {
      const frames = await counter.skim({ mode: i % 2 ? 'exact' : 'fast', count: 20 });
      for (const frame of frames) (frame.image as ImageBitmap).close();
      expect(await client.stats()).toMatchObject({ liveFrames: 0, runningJobs: 0 });
    }
  });
});
