/**
 * The Stage-1 video the app gives Qwen-family orchestrators against the one the SAGE release gives
 * SAGE-MM: frame counts and frame sizes from qwen-vl-utils set up as the release sets it up, for
 * sources of several sizes, rates and lengths (models/reference/release_stage1_video.py, checked in
 * CI by scripts/export-tests.sh).
 */
import { describe, expect, it } from 'vitest';
import reference from '../../fixtures/release-stage1-video.json';
import { fitSize } from '../../../src/media/frame-renderer';
import { stage1VideoPlan, videoFrameSize } from '../../../src/models/qwen-vl/video-inputs';

const FACTOR = { qwen2_5_vl: 28, qwen3_vl: 32 } as const;

describe.each(reference.cases)('$family, $source.width x $source.height, $source.seconds s at $source.fps fps', (expected) => {
  const family = expected.family as keyof typeof FACTOR;
  const plan = stage1VideoPlan(family);
  const { width, height, fps, seconds } = expected.source;

  it('as many frames as the release takes', () => {
    expect(plan.frameCount(seconds, fps)).toBe(expected.frames);
  });

  it("each frame the release's size, computed from the source", () => {
    const size = videoFrameSize(height, width, expected.frames, { factor: FACTOR[family], family });
    expect(size).toEqual({ height: expected.height, width: expected.width });
  });

  it('skim frames large enough that reaching that size never enlarges a larger source', () => {
    const skim = fitSize(width, height, plan.maxSide);
    const enlarged = expected.width > skim.width || expected.height > skim.height;
    const sourceSmaller = expected.width > width || expected.height > height;
    expect(enlarged).toBe(sourceSmaller);
  });
});

describe('stage1VideoPlan', () => {
  it('takes no frames of a video with no length, and 128 for Qwen3-VL when the frame rate is unknown', () => {
    expect(stage1VideoPlan('qwen2_5_vl').frameCount(0, 25)).toBe(0);
    expect(stage1VideoPlan('qwen3_vl').frameCount(0, 25)).toBe(0);
    expect(stage1VideoPlan('qwen3_vl').frameCount(30, 0)).toBe(128);
    expect(stage1VideoPlan('qwen2_5_vl').frameCount(30, 0)).toBe(30);
    expect(stage1VideoPlan('qwen2_5_vl').frameCount(0.4, 30)).toBe(1);
  });
});
