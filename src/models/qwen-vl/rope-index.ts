/**
 * Qwen2-VL's and Qwen2.5-VL's multimodal rotary positions (mRoPE), as PyTorch `transformers`
 * computes them in `Qwen2VLModel.get_rope_index` and `Qwen2_5_VLModel.get_rope_index`: text
 * advances all three axes together; each image or video takes a (time, row, column) grid of merged
 * patches; a Qwen2.5-VL video's time axis advances by `second_per_grid_t * tokens_per_second` per
 * temporal patch, with `second_per_grid_t` cast to a whole number first (the reference converts it
 * to an integer tensor before multiplying), a Qwen2-VL video's by one.
 *
 * transformers.js 4.3 has neither the video time scaling nor the right text-only offset (its
 * text-only `rope_deltas` add the length instead of subtracting it, so the first generated token
 * of an imageless prompt lands at the wrong position); the VLM worker uses this instead.
 */

export interface RopeConfig {
  imageTokenId: number;
  videoTokenId: number;
  visionStartTokenId: number;
  spatialMergeSize: number;
  /** Qwen2.5-VL's time scale of a video; null where a temporal patch advances time by one (Qwen2-VL). */
  tokensPerSecond: number | null;
}

export type Grid = readonly [t: number, h: number, w: number];

export interface RopeInput {
  inputIds: readonly number[];
  /** 1 for tokens the model attends to; defaults to all ones. */
  attentionMask?: readonly number[];
  imageGrids: readonly Grid[];
  videoGrids: readonly Grid[];
  /** Seconds one temporal patch of each video spans (temporal_patch_size / fps). */
  secondsPerGrid: readonly number[];
}

export interface RopeIndex {
  /** [time, row, column] positions, one entry per token (masked tokens get 1, as in the reference). */
  positionIds: [number[], number[], number[]];
  /** Added to a generated token's index to give its position (all three axes). */
  delta: number;
}

/** Running counters shared by the rows of a batch, as the reference shares them. */
export interface RopeCursor {
  image: number;
  video: number;
}

export function ropeIndex(input: RopeInput, config: RopeConfig, cursor: RopeCursor = { image: 0, video: 0 }): RopeIndex {
  const mask = input.attentionMask ?? input.inputIds.map(() => 1);
  const ids = input.inputIds.filter((_, index) => mask[index] === 1);
  const hasVision = input.imageGrids.length > 0 || input.videoGrids.length > 0;
  const positions: number[][] = hasVision ? visionPositions(ids, input, config, cursor) : [range(ids.length), range(ids.length), range(ids.length)];

  const full: [number[], number[], number[]] = [[], [], []];
  let kept = 0;
  for (let index = 0; index < mask.length; index++) {
    const attended = mask[index] === 1;
    for (let axis = 0; axis < 3; axis++) full[axis]!.push(attended ? positions[axis]![kept]! : 1);
    if (attended) kept++;
  }
  let highest = -1;
  for (const axis of positions) for (const value of axis) if (value > highest) highest = value;
  return { positionIds: full, delta: highest + 1 - mask.length };
}

function visionPositions(ids: readonly number[], input: RopeInput, config: RopeConfig, cursor: RopeCursor): number[][] {
  const axes: number[][] = [[], [], []];
  let next = 0;
  const pushText = (length: number) => {
    for (let i = 0; i < length; i++) for (const axis of axes) axis.push(next + i);
    next += length;
  };

  const starts = ids.flatMap((id, index) => (id === config.visionStartTokenId ? [index] : []));
  let remainingImages = starts.filter((index) => ids[index + 1] === config.imageTokenId).length;
  let remainingVideos = starts.filter((index) => ids[index + 1] === config.videoTokenId).length;
  let position = 0;
  const total = remainingImages + remainingVideos;
  for (let segment = 0; segment < total; segment++) {
    const nextImage = remainingImages > 0 ? ids.indexOf(config.imageTokenId, position) : -1;
    const nextVideo = remainingVideos > 0 ? ids.indexOf(config.videoTokenId, position) : -1;
    const imageAt = nextImage === -1 ? ids.length + 1 : nextImage;
    const videoAt = nextVideo === -1 ? ids.length + 1 : nextVideo;
    let grid: Grid | undefined;
    let timeStep: number;
    let end: number;
    if (imageAt < videoAt) {
      grid = input.imageGrids[cursor.image++];
      timeStep = 0;
      remainingImages--;
      end = imageAt;
    } else {
      const video = cursor.video++;
      grid = input.videoGrids[video];
      timeStep = config.tokensPerSecond === null ? 1 : Math.trunc(input.secondsPerGrid[video] ?? 1) * config.tokensPerSecond;
      remainingVideos--;
      end = videoAt;
    }
    if (!grid) throw new Error(`mRoPE: ${segment + 1} vision placeholders but fewer grids`);
    pushText(end - position);
    const [t, h, w] = [grid[0], Math.floor(grid[1] / config.spatialMergeSize), Math.floor(grid[2] / config.spatialMergeSize)];
    let highest = next - 1;
    for (let frame = 0; frame < t; frame++) {
      for (let row = 0; row < h; row++) {
        for (let col = 0; col < w; col++) {
          const values = [next + frame * timeStep, next + row, next + col] as const;
          values.forEach((value, axis) => axes[axis]!.push(value));
          highest = Math.max(highest, values[0], values[1], values[2]);
        }
      }
    }
    next = highest + 1;
    position = end + t * h * w;
  }
  if (position < ids.length) pushText(ids.length - position);
  return axes;
}

function range(length: number): number[] {
  return Array.from({ length }, (_, index) => index);
}
