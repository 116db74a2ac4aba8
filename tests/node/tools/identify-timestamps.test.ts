import { describe, expect, it } from 'vitest';
import { VlmYesNoScorer, type FrameEventScorer } from '../../../src/tools/frame-event-scorer';
import { groundingSlices, identifyTimestampsTool } from '../../../src/tools/identify-timestamps';
import { FakeExtractor, FakeVlm, context } from './fakes';

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

describe('identify_timestamps_visually', () => {
  it('samples the window densely at low resolution and returns the matching span', async () => {
    const media = new FakeExtractor();
    const output = await identifyTimestampsTool(media, scoreBetween(103, 106)).run(args, context());
    expect(media.calls).toEqual([{ start: 100.5, end: 109.5, count: 10, maxSide: 224, format: 'bitmap' }]);
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
});
