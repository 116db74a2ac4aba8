import type { VideoSample } from 'mediabunny';
import type { FrameFormat } from './types';

/** Output size for a picture of display size w×h whose longest side is at most `maxSide` (never enlarged). */
export function fitSize(displayWidth: number, displayHeight: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(displayWidth, displayHeight));
  return {
    width: Math.max(1, Math.round(displayWidth * scale)),
    height: Math.max(1, Math.round(displayHeight * scale)),
  };
}

const MIME: Record<Exclude<FrameFormat, 'bitmap'>, string> = {
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  png: 'image/png',
};

/**
 * Draws decoded samples upright (rotation and pixel aspect ratio applied by mediabunny's `draw`)
 * into one reusable canvas, and hands out a transferable bitmap or an encoded image.
 */
export class FrameRenderer {
  readonly width: number;
  readonly height: number;
  private readonly canvas: OffscreenCanvas;
  private readonly context: OffscreenCanvasRenderingContext2D;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.canvas = new OffscreenCanvas(width, height);
    const context = this.canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('2D canvas is not available');
    this.context = context;
    this.context.imageSmoothingQuality = 'high';
  }

  async render(sample: VideoSample, format: FrameFormat, quality = 0.9): Promise<ImageBitmap | Blob> {
    sample.draw(this.context, 0, 0, this.width, this.height);
    if (format === 'bitmap') return this.canvas.transferToImageBitmap();
    return this.canvas.convertToBlob({ type: MIME[format], quality });
  }
}
