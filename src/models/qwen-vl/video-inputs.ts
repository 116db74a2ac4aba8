/**
 * How the SAGE release hands Qwen2.5-VL-family SAGE-MM the skim at Stage 1: the frames as one
 * video (time order, two frames per temporal patch), each frame resized so it costs at most 48
 * merged tokens (qwen-vl-utils' `smart_resize` with the release's per-frame pixel bounds), and the
 * processor's default 2 fps left in place, so every temporal patch counts as one second of rotary
 * time whatever the skim's real spacing (the release's inference passes no fps).
 */

/** Side lengths are multiples of patch (14) x merge (2). */
export const VIDEO_FRAME_FACTOR = 28;
export const VIDEO_MIN_PIXELS = 1 * 28 * 28;
export const VIDEO_MAX_PIXELS_PER_FRAME = 48 * 28 * 28;
/** qwen-vl-utils' budget for a whole video at the release's 128k-token sequence length. */
export const VIDEO_TOTAL_PIXELS = 128000 * 28 * 28 * 0.9;
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

/**
 * The size every frame of a `frameCount`-frame skim is resized to before patching. `factor` is
 * patch x merge (28 for Qwen2.5-VL; 32 for Qwen3-VL, for which the same 48-token budget per frame
 * is assumed: the release's Qwen3 sizing was not verified).
 */
export function videoFrameSize(height: number, width: number, frameCount: number, factor = VIDEO_FRAME_FACTOR): { height: number; width: number } {
  const scale = (factor * factor) / (VIDEO_FRAME_FACTOR * VIDEO_FRAME_FACTOR);
  const minPixels = VIDEO_MIN_PIXELS * scale;
  const maxPixels = Math.max(Math.min(VIDEO_MAX_PIXELS_PER_FRAME * scale, (VIDEO_TOTAL_PIXELS * scale) / Math.max(1, frameCount)), minPixels * 1.05);
  return smartResize(height, width, factor, minPixels, maxPixels);
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
