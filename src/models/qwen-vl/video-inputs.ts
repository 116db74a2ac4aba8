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

/** The size every frame of a `frameCount`-frame skim is resized to before patching. */
export function videoFrameSize(height: number, width: number, frameCount: number): { height: number; width: number } {
  const maxPixels = Math.max(Math.min(VIDEO_MAX_PIXELS_PER_FRAME, VIDEO_TOTAL_PIXELS / Math.max(1, frameCount)), VIDEO_MIN_PIXELS * 1.05);
  return smartResize(height, width, VIDEO_FRAME_FACTOR, VIDEO_MIN_PIXELS, maxPixels);
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
