/** Frame thumbnails for steps and answers, drawn from the frames the tools hold in memory. */
import type { FrameRef } from '../core/contracts';
import type { StoredFrame } from '../tools/frame-store';
import { formatClock } from './format';
import { h } from './dom';

export interface FrameLookup {
  get(id: string): StoredFrame | undefined;
}

/**
 * A strip of seekable thumbnails. Pixels are copied with drawImage, never transferred: the same
 * bitmaps go on to the VLM. Blobs (JPEG frames) are decoded here for the same reason, and so the
 * page needs no `blob:` image source under a strict CSP.
 */
export function thumbnailStrip(frames: readonly FrameRef[], lookup: FrameLookup): HTMLOListElement {
  const list = h('ol', { class: 'thumbs' });
  for (const ref of frames) {
    const stored = lookup.get(ref.id);
    const canvas = h('canvas', { 'aria-hidden': 'true' });
    const button = h(
      'button',
      { type: 'button', class: 'thumb', 'data-seek': ref.timestamp, title: `${ref.id}: play from ${formatClock(ref.timestamp)}` },
      canvas,
      h('span', {}, formatClock(ref.timestamp)),
    );
    if (stored) void draw(canvas, stored);
    list.append(h('li', {}, button));
  }
  return list;
}

const THUMB_WIDTH = 160;

async function draw(canvas: HTMLCanvasElement, frame: StoredFrame): Promise<void> {
  const scale = Math.min(1, THUMB_WIDTH / frame.width);
  canvas.width = Math.max(1, Math.round(frame.width * scale));
  canvas.height = Math.max(1, Math.round(frame.height * scale));
  const context = canvas.getContext('2d');
  if (!context) return;
  try {
    const source = frame.image instanceof Blob ? await createImageBitmap(frame.image) : frame.image;
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    if (frame.image instanceof Blob) source.close();
  } catch {
    // A frame evicted (closed) before it was drawn leaves an empty thumbnail; its time still seeks.
  }
}
