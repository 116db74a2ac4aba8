import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { FrameStore } from '../../../src/tools/frame-store';
import { MAX_REASONING_FRAMES, performReasoningTool, resolveMediaPaths } from '../../../src/tools/perform-reasoning';
import { FakeVlm, context, frameAt } from './fakes';

function storeWith(times: number[]): FrameStore {
  const store = new FrameStore();
  store.add(times.map((t) => frameAt(t)));
  return store;
}

function failure(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('resolveMediaPaths', () => {
  it('gives the stored frames in the order named, once each', () => {
    const store = storeWith([10, 11, 12]);
    expect(resolveMediaPaths(store, ['frame_3', 'frame_1', 'frame_3']).frames.map((f) => f.id)).toEqual(['frame_3', 'frame_1']);
    expect(resolveMediaPaths(store, [])).toEqual({ frames: [], notes: [] });
  });

  it('takes a release-style name it did not issue as the stored frame nearest its time, and says so', () => {
    const store = new FrameStore();
    store.add([frameAt(3425), frameAt(3428), frameAt(3431)], ['v_frames_57:00_57:20/v_frame_1_57:05.jpg', 'b', 'c']);
    // Real SAGE-MM traces name frames of earlier extractions, even ones never made in this run.
    const { frames, notes } = resolveMediaPaths(store, ['other_frames_56:00_58:00/other_frame_85700_57:08.jpg', 'b']);
    expect(frames.map((f) => f.id)).toEqual(['b']);
    expect(notes).toEqual([
      'other_frames_56:00_58:00/other_frame_85700_57:08.jpg was not extracted; used b, the stored frame nearest 00:57:08 (at 00:57:08).',
    ]);
    const hours = resolveMediaPaths(store, ['x_frame_1_00:57:30.png']);
    expect(hours.frames.map((f) => f.id)).toEqual(['c']);
    // A name without a time still cannot be guessed.
    expect(failure(() => resolveMediaPaths(store, ['clip.mp4'])).message).toContain('Unknown media_paths: clip.mp4.');
  });

  it('names unknown ids and lists the known ones', () => {
    const error = failure(() => resolveMediaPaths(storeWith([10, 11]), ['frame_1', 'frame_9', 'clip.mp4']));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toBe('Unknown media_paths: frame_9, clip.mp4. Known frame ids: frame_1, frame_2.');
  });

  it('says to extract first when there are no frames at all', () => {
    const error = failure(() => resolveMediaPaths(new FrameStore(), ['frame_1']));
    expect(error.message).toContain('No frames have been extracted yet; call extract_parts_from_timestamp first');
  });

  it('lists only the newest known ids when there are many', () => {
    const store = storeWith(Array.from({ length: 45 }, (_, i) => i));
    const error = failure(() => resolveMediaPaths(store, ['frame_99']));
    expect(error.message).toContain('Known frame ids: frame_16, ');
    expect(error.message).toContain('frame_45 (older ones left out).');
  });

  it('refuses more frames than the model can take at once', () => {
    const store = storeWith(Array.from({ length: MAX_REASONING_FRAMES + 1 }, (_, i) => i));
    const error = failure(() => resolveMediaPaths(store, store.ids()));
    expect(error.message).toContain(`at most ${MAX_REASONING_FRAMES}`);
  });
});

describe('perform_reasoning', () => {
  it('asks the VLM about the named frames, with their times, and returns its answer', async () => {
    const store = storeWith([10, 11.5]);
    const vlm = new FakeVlm(() => ' A red car turns left. ');
    const output = await performReasoningTool(vlm, store).run(
      { query: 'Which way does the car turn?', media_paths: ['frame_2', 'frame_1'] },
      context(),
    );
    expect(output.text).toBe('answer: A red car turns left.');
    const guessed = await performReasoningTool(new FakeVlm(() => 'left'), store).run(
      { query: 'Which way?', media_paths: ['v_frames_00:10_00:12/v_frame_287_00:11.jpg'] },
      context(),
    );
    expect(guessed.text).toBe(
      'Note: v_frames_00:10_00:12/v_frame_287_00:11.jpg was not extracted; used frame_2, the stored frame nearest 00:00:11 (at 00:00:11.5).\nanswer: left',
    );
    expect(output.frames).toEqual([
      { id: 'frame_2', timestamp: 11.5 },
      { id: 'frame_1', timestamp: 10 },
    ]);
    const request = vlm.requests[0]!;
    expect(request.images).toEqual([store.get('frame_2')!.image, store.get('frame_1')!.image]);
    expect(request.prompt).toContain('frame_2 at 00:00:11.5, frame_1 at 00:00:10');
    expect(request.prompt).toContain('Which way does the car turn?');
    expect(request.maxNewTokens).toBe(256);
    expect(request.signal).toBeDefined();
  });

  it('reasons over text alone when media_paths is empty', async () => {
    const vlm = new FakeVlm(() => '42');
    const output = await performReasoningTool(vlm, new FrameStore(), { maxNewTokens: 32 }).run(
      { query: 'What is 6 times 7?', media_paths: [] },
      context(),
    );
    expect(output.text).toBe('answer: 42');
    expect(vlm.requests[0]?.images).toEqual([]);
    expect(vlm.requests[0]?.maxNewTokens).toBe(32);
  });

  it('fails with the unknown-id message before calling the model', async () => {
    const vlm = new FakeVlm(() => 'x');
    await expect(
      performReasoningTool(vlm, new FrameStore()).run({ query: 'q', media_paths: ['frame_1'] }, context()),
    ).rejects.toThrow(/Unknown media_paths: frame_1/);
    expect(vlm.requests).toHaveLength(0);
  });
});
