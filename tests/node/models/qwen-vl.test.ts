import { describe, expect, it } from 'vitest';
import { ropeIndex, type Grid } from '../../../src/models/qwen-vl/rope-index';
import { pythonFixed1, qwen3PatchTimes, smartResize, videoFrameSize, videoTokenCount } from '../../../src/models/qwen-vl/video-inputs';
import config from '../../../models/tiny/tiny-random-qwen2_5_vl/config.json';
import reference from '../../fixtures/tiny-vlm/reference.json';

const rope = {
  imageTokenId: config.image_token_id,
  videoTokenId: config.video_token_id,
  visionStartTokenId: config.vision_start_token_id,
  spatialMergeSize: config.vision_config.spatial_merge_size,
  tokensPerSecond: config.vision_config.tokens_per_second,
};

describe('mRoPE positions', () => {
  // PyTorch's get_rope_index on the same token ids (models/tiny/make_tiny.py).
  it.each(['image', 'video', 'text'] as const)('equal PyTorch for the %s prompt', (name) => {
    const entry = reference.cases[name] as { input_ids: number[]; position_ids: number[][]; rope_delta: number; grid_thw?: number[]; second_per_grid_t?: number };
    const grid = entry.grid_thw as unknown as Grid | undefined;
    const result = ropeIndex(
      {
        inputIds: entry.input_ids,
        imageGrids: name === 'image' && grid ? [grid] : [],
        videoGrids: name === 'video' && grid ? [grid] : [],
        secondsPerGrid: entry.second_per_grid_t === undefined ? [] : [entry.second_per_grid_t],
      },
      rope,
    );
    expect(result.positionIds).toEqual(entry.position_ids);
    expect(result.delta).toBe(entry.rope_delta);
  });

  it('advances a video by whole seconds per temporal patch times tokens per second, as the reference casts it', () => {
    const ids = [1, rope.visionStartTokenId, ...Array(4).fill(rope.videoTokenId), 2];
    const at = (seconds: number) => ropeIndex({ inputIds: ids, imageGrids: [], videoGrids: [[4, 2, 2]], secondsPerGrid: [seconds] }, rope).positionIds[0];
    expect(at(1)).toEqual([0, 1, 2, 4, 6, 8, 9]);
    expect(at(2.5)).toEqual(at(2)); // 2.5 s is cast to 2 before scaling
    expect(at(2)).toEqual([0, 1, 2, 6, 10, 14, 15]);
  });

  it('puts padding at 1 and counts only attended tokens', () => {
    const result = ropeIndex({ inputIds: [0, 0, 5, 6], attentionMask: [0, 0, 1, 1], imageGrids: [], videoGrids: [], secondsPerGrid: [] }, rope);
    expect(result.positionIds).toEqual([
      [1, 1, 0, 1],
      [1, 1, 0, 1],
      [1, 1, 0, 1],
    ]);
    expect(result.delta).toBe(-2);
  });
});

describe('skim frames as video, as the release sizes them', () => {
  it('qwen-vl-utils smart_resize: sides on the 28-px grid, area within bounds, halves to even', () => {
    expect(smartResize(720, 1280, 28, 784, 48 * 28 * 28)).toEqual({ height: 140, width: 252 });
    expect(smartResize(56, 56, 28, 784, 37632)).toEqual({ height: 56, width: 56 });
    expect(smartResize(10, 10, 28, 784, 37632)).toEqual({ height: 28, width: 28 });
    // 70 / 28 = 2.5 rounds to 2 (Python's round), not 3.
    expect(smartResize(70, 70, 28, 784, 1_000_000)).toEqual({ height: 56, width: 56 });
  });

  it('a 16:9 source costs at most 48 merged tokens per temporal patch', () => {
    const size = videoFrameSize(216, 384, 128);
    expect(size).toEqual({ height: 140, width: 252 });
    expect(videoTokenCount(128, size)).toBe((64 * size.height * size.width) / (28 * 28));
    expect(videoTokenCount(127, size)).toBe(videoTokenCount(128, size));
  });
});

describe('Qwen3-VL video times in the prompt', () => {
  it('one label per temporal patch: the mean of its frames, an odd count padded with the last frame', () => {
    expect(qwen3PatchTimes([0, 1, 2, 3, 4, 5])).toEqual(['<0.5 seconds>', '<2.5 seconds>', '<4.5 seconds>']);
    expect(qwen3PatchTimes([10, 40, 70])).toEqual(['<25.0 seconds>', '<70.0 seconds>']);
  });

  it("prints as Python's '.1f' does: exact ties go to the even digit", () => {
    expect([0.25, 0.75, 1.25, 0.35, 2.5, 28.125].map(pythonFixed1)).toEqual(['0.2', '0.8', '1.2', '0.3', '2.5', '28.1']);
  });

  it("sizes Qwen3-VL frames on its 32-px grid to about 100 merged tokens, as the release's Qwen3-VL client asks", () => {
    const size = videoFrameSize(720, 1280, 128, { factor: 32, family: 'qwen3_vl' });
    expect(size).toEqual({ height: 224, width: 416 });
    expect((size.height * size.width) / (32 * 32)).toBe(91);
  });
});
