/**
 * How the SAGE release hands Qwen-family SAGE-MM the skim at Stage 1, as its copy of qwen-vl-utils
 * sizes and counts it (checked against qwen-vl-utils set up the same way:
 * models/reference/release_stage1_video.py):
 *
 * - Qwen2.5-VL: one frame a second, 1 to 128, each resized so it costs at most 48 merged tokens on
 *   the 28-px grid, and the processor's default 2 fps left in place, so every temporal patch counts
 *   as one second of rotary time whatever the skim's real spacing (the release's inference passes
 *   no fps);
 * - Qwen3-VL: always 128 frames (fewer only when the video has fewer), each sized on the 32-px grid
 *   of its 16-px patches to about 100 merged tokens (between 128 x 28 x 28 pixels and 5% more), with
 *   each temporal patch's time in the text.
 *
 * Sizes are computed from the source video's display size, as the release resizes the decoded
 * source frames. Qwen3.5, which no SAGE-MM is built on, takes video as Qwen3-VL does but gets the
 * Qwen2.5-VL plan on its own grid: half the visual tokens, which matters most on the CPU, where it
 * is the chooser's pick.
 */

/** Side lengths are multiples of patch (14) x merge (2). */
export const VIDEO_FRAME_FACTOR = 28;
export const TEMPORAL_PATCH_SIZE = 2;
/** The processor's default fps, which the release's inference never overrides. */
export const RELEASE_VIDEO_FPS = 2;
export const RELEASE_SECONDS_PER_GRID = TEMPORAL_PATCH_SIZE / RELEASE_VIDEO_FPS;

/** qwen-vl-utils' smart_resize: sides rounded to the factor, area kept within [min, max]. */
export function smartResize(
  height: number,
  width: number,
  factor: number,
  minPixels: number,
  maxPixels: number,
): { height: number; width: number } {
  let h = Math.max(factor, roundHalfEven(height / factor) * factor);
  let w = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}

/** What the release's Qwen3-VL client asks of each Stage-1 frame, in pixels (written on the 28-px grid). */
const QWEN3_RELEASE_FRAME_PIXELS = { min: 128 * 28 * 28, max: 192 * 28 * 28 };
/** Frames the release's Qwen3-VL client asks for, whatever the video's length. */
const QWEN3_RELEASE_FRAMES = 128;

/** The family whose SAGE-MMs the release feeds with its Qwen3-VL client's plan. */
const QWEN3_PLAN_FAMILY = 'qwen3_vl';

/**
 * The size every frame of a `frameCount`-frame Stage-1 video cut from a `width` x `height` source is
 * resized to before patching, as the release's qwen-vl-utils computes it. `factor` is patch x merge
 * (28 for Qwen2.5-VL, 32 for Qwen3-VL and Qwen3.5); `family` picks the plan's bounds.
 */
export function videoFrameSize(
  height: number,
  width: number,
  frameCount: number,
  { factor = VIDEO_FRAME_FACTOR, family }: { factor?: number; family?: string } = {},
): { height: number; width: number } {
  const timed = family === QWEN3_PLAN_FAMILY;
  const grid = factor * factor;
  const minPixels = timed ? QWEN3_RELEASE_FRAME_PIXELS.min : grid;
  const total = 128000 * grid * 0.9;
  const limit = Math.max(Math.min(48 * grid, total / Math.max(1, frameCount)), Math.floor(minPixels * 1.05));
  const maxPixels = timed ? Math.min(QWEN3_RELEASE_FRAME_PIXELS.max, limit) : limit;
  return smartResize(height, width, factor, minPixels, maxPixels);
}

/** How many frames, and how large, the skim for a family's Stage 1 is taken. */
export interface Stage1VideoPlan {
  /** Frames the release gives a video this long (`frameRate` 0 when unknown). */
  frameCount(durationSeconds: number, frameRate: number): number;
  /**
   * Longest side of the skim frames: large enough that the release's size for any source of common
   * aspect (up to 2.4:1) is reached by shrinking them, not by enlarging.
   */
  readonly maxSide: number;
}

/** The release's plan for a family's Stage-1 video (`model_type`): its Qwen3-VL client's for Qwen3-VL, else its Qwen2.5-VL client's. */
export function stage1VideoPlan(family: string | undefined): Stage1VideoPlan {
  const available = (seconds: number, rate: number): number => (rate > 0 ? Math.round(seconds * rate) : Infinity);
  return family === QWEN3_PLAN_FAMILY
    ? {
        frameCount: (seconds, rate) => (seconds > 0 ? Math.max(1, Math.min(QWEN3_RELEASE_FRAMES, available(seconds, rate))) : 0),
        maxSide: 512,
      }
    : {
        frameCount: (seconds, rate) => (seconds > 0 ? Math.max(1, Math.floor(Math.min(128, seconds, available(seconds, rate)))) : 0),
        maxSide: 384,
      };
}

/**
 * Qwen3-VL's time text for each temporal patch: the mean of its first and last frame's times (an
 * odd count padded with the last), printed as Python's f"<{t:.1f} seconds>" prints it.
 */
export function qwen3PatchTimes(frameTimes: readonly number[]): string[] {
  const times = [...frameTimes];
  while (times.length % TEMPORAL_PATCH_SIZE !== 0) times.push(times[times.length - 1] ?? 0);
  const labels: string[] = [];
  for (let i = 0; i < times.length; i += TEMPORAL_PATCH_SIZE) {
    labels.push(`<${pythonFixed1((times[i]! + times[i + TEMPORAL_PATCH_SIZE - 1]!) / 2)} seconds>`);
  }
  return labels;
}

/** Python's format(x, '.1f'): like toFixed(1), but an exact tie (x.x5 exactly, as 0.25) goes to the even digit. */
export function pythonFixed1(value: number): string {
  const quarters = value * 4;
  if (Number.isInteger(quarters) && Math.abs(quarters % 2) === 1) {
    const tenths = value * 10;
    const low = Math.floor(tenths);
    const even = low % 2 === 0 ? low : low + 1;
    return (even / 10).toFixed(1);
  }
  return value.toFixed(1);
}

/** Merged visual tokens a video of these frames becomes (frames padded to whole temporal patches). */
export function videoTokenCount(frameCount: number, size: { height: number; width: number }): number {
  const temporalPatches = Math.ceil(frameCount / TEMPORAL_PATCH_SIZE);
  return (temporalPatches * size.height * size.width) / (VIDEO_FRAME_FACTOR * VIDEO_FRAME_FACTOR);
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
