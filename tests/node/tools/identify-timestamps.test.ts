import { describe, expect, it } from 'vitest';
import { VlmYesNoScorer, type FrameEventScorer } from '../../../src/tools/frame-event-scorer';
import { groundingBatches, groundingSlices, identifyTimestampsTool } from '../../../src/tools/identify-timestamps';
import type { ExtractOptions, Frame } from '../../../src/media/types';
import { FakeExtractor, FakeVlm, bitmap, context } from './fakes';

const args = { video_path: 'v.mp4', event: 'a dog jumps', timestamp_start: 100, timestamp_end: 110 };

/** Scores 1 for frames inside [from, to), 0 elsewhere. */
function scoreBetween(from: number, to: number): FrameEventScorer {
  return { score: async (frames) => frames.map((f) => (f.timestamp >= from && f.timestamp < to ? 1 : 0)) };
}

describe('groundingSlices', () => {
  it('samples one frame a second at the middle of each slice, at most 32, at least 2', () => {
    expect(groundingSlices(100, 110)).toEqual({ count: 10, step: 1, first: 100.5, last: 109.5 });
    expect(groundingSlices(0, 600).count).toBe(32);
    expect(groundingSlices(0, 0.5)).toEqual({ count: 2, step: 0.25, first: 0.125, last: 0.375 });
  });
});

describe('groundingBatches', () => {
  it('extracts a short head, then the rest; windows of a few frames stay whole', () => {
    expect(groundingBatches(100.5, 109.5, 1, 10)).toEqual([
      { start: 100.5, end: 102.5, count: 3 },
      { start: 103.5, end: 109.5, count: 7 },
    ]);
    expect(groundingBatches(0.5, 31.5, 1, 32)).toEqual([
      { start: 0.5, end: 7.5, count: 8 },
      { start: 8.5, end: 31.5, count: 24 },
    ]);
    expect(groundingBatches(0.5, 2.5, 1, 3)).toEqual([{ start: 0.5, end: 2.5, count: 3 }]);
    expect(groundingBatches(0.125, 0.375, 0.25, 2)).toEqual([{ start: 0.125, end: 0.375, count: 2 }]);
  });
});

/** Frames on a grid of `interval` seconds: an instant gets the frame showing then, each frame once per call. */
class GridExtractor extends FakeExtractor {
  constructor(private readonly interval: number) {
    super();
  }
  override async extract(options: ExtractOptions): Promise<Frame[]> {
    const asked = await super.extract(options);
    // Only the frames handed out are tracked.
    this.frames.splice(this.frames.length - asked.length);
    const frames: Frame[] = [];
    for (const frame of asked) {
      const timestamp = Math.floor(frame.requestedTime / this.interval) * this.interval;
      if (frames.at(-1)?.timestamp === timestamp) continue;
      frames.push({ ...frame, timestamp, image: bitmap() });
    }
    this.frames.push(...frames);
    return frames;
  }
}

describe('identify_timestamps_visually', () => {
  it('samples the window densely at low resolution and returns the matching span', async () => {
    const media = new FakeExtractor();
    const output = await identifyTimestampsTool(media, scoreBetween(103, 106)).run(args, context());
    expect(media.calls).toEqual([
      { start: 100.5, end: 102.5, count: 3, maxSide: 224, format: 'bitmap' },
      { start: 103.5, end: 109.5, count: 7, maxSide: 224, format: 'bitmap' },
    ]);
    // Frames at 103.5, 104.5, 105.5 match: their slices cover 103-106.
    expect(output.spans).toEqual([{ start: 103, end: 106 }]);
    expect(output.text).toContain('timestamps: {"start":"00:01:43","end":"00:01:46"}');
    expect(output.text).toContain('3 of 10 frames sampled between 00:01:40-00:01:50 matched');
    expect(media.frames.every((f) => (f.image as unknown as { closed: boolean }).closed)).toBe(true);
  });

  it('returns nulls when no frame shows the event', async () => {
    const media = new FakeExtractor();
    const output = await identifyTimestampsTool(media, scoreBetween(0, 0)).run(args, context());
    expect(output.text).toMatch(/^timestamps: \{"start": null, "end": null\}\n/);
    expect(output.text).toContain('was not seen in any of 10 frames');
    expect(output.spans).toBeUndefined();
    expect(media.frames.every((f) => (f.image as unknown as { closed: boolean }).closed)).toBe(true);
  });

  it('closes the sampled frames when scoring fails', async () => {
    const media = new FakeExtractor();
    const failing: FrameEventScorer = { score: async () => Promise.reject(new Error('boom')) };
    await expect(identifyTimestampsTool(media, failing).run(args, context())).rejects.toThrow('boom');
    expect(media.frames.every((f) => (f.image as unknown as { closed: boolean }).closed)).toBe(true);
  });

  it('the VLM scorer asks yes or no about each frame alone', async () => {
    const media = new FakeExtractor();
    const replies = ['No.', 'no', 'Yes', 'yes, it jumps', 'I am not sure', 'Yes.', 'no', 'no', 'no', 'no'];
    let call = 0;
    const vlm = new FakeVlm(() => replies[call++] ?? 'no');
    const output = await identifyTimestampsTool(media, new VlmYesNoScorer(vlm)).run(args, context());
    expect(vlm.requests).toHaveLength(10);
    expect(vlm.requests.every((r) => r.images?.length === 1 && r.prompt.includes('a dog jumps'))).toBe(true);
    expect(vlm.requests[0]?.maxNewTokens).toBe(4);
    // Frames 2, 3 and 5 say yes; the unclear frame 4 is bridged.
    expect(output.spans).toEqual([{ start: 102, end: 106 }]);
  });

  it('decodes the rest of the window while the first frames are scored', async () => {
    const media = new FakeExtractor();
    const extractionsWhileScoring: number[] = [];
    const scorer: FrameEventScorer = {
      score: async (frames) => {
        extractionsWhileScoring.push(media.calls.length);
        return frames.map(() => 0);
      },
    };
    await identifyTimestampsTool(media, scorer).run(args, context());
    // The second extraction was already asked for when the head's scoring began.
    expect(extractionsWhileScoring).toEqual([2, 2]);
  });

  it('scores and counts a frame that shows at the instants on both sides of the split once', async () => {
    // 4 s between frames: instants 100.5, 101.5, 102.5 | 103.5 ... all show frames 100 and 104 and 108.
    const media = new GridExtractor(4);
    const scored: number[] = [];
    const scorer: FrameEventScorer = {
      score: async (frames) => {
        scored.push(...frames.map((f) => f.timestamp));
        return frames.map((f) => (f.timestamp === 100 ? 1 : 0));
      },
    };
    const output = await identifyTimestampsTool(media, scorer).run(args, context());
    expect(scored).toEqual([100, 104, 108]);
    expect(output.text).toContain('1 of 3 frames sampled');
    // Frame 100 was asked for at 100.5 and kept that instant's slice.
    expect(output.spans).toEqual([{ start: 100, end: 101 }]);
    expect(media.frames.every((f) => (f.image as unknown as { closed: boolean }).closed)).toBe(true);
  });

  it('closes the frames of an extraction still running when scoring fails', async () => {
    const media = new FakeExtractor();
    let releaseTail = (): void => {};
    const tailArrived = new Promise<void>((resolve) => (releaseTail = resolve));
    const slowMedia = {
      extract: async (options: ExtractOptions) => {
        const frames = await media.extract(options);
        if (media.calls.length === 2) await tailArrived;
        return frames;
      },
    };
    const failing: FrameEventScorer = {
      score: async () => {
        setTimeout(releaseTail, 10);
        return Promise.reject(new Error('boom'));
      },
    };
    await expect(identifyTimestampsTool(slowMedia, failing).run(args, context())).rejects.toThrow('boom');
    expect(media.frames).toHaveLength(10);
    expect(media.frames.every((f) => (f.image as unknown as { closed: boolean }).closed)).toBe(true);
  });
});
