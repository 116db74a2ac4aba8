import { readBackground, readFrameIndex } from '../fixtures/frame-code';
import type { Frame } from '../../src/media/types';

const fixtureUrls = import.meta.glob<string>('../fixtures/media/*', { query: '?url', import: 'default', eager: true });

/** A committed fixture as a File, the way a person's drop would give it. */
export async function fixtureFile(name: string): Promise<File> {
  const url = fixtureUrls[`../fixtures/media/${name}`];
  if (!url) throw new Error(`no fixture named ${name}`);
  const response = await fetch(url);
  return new File([await response.blob()], name);
}

export interface ReadFrame {
  index: number;
  background: [number, number, number];
  width: number;
  height: number;
}

/** Reads back which fixture frame a returned image shows (see tests/fixtures/frame-code.ts). */
export async function readFrame(frame: Frame): Promise<ReadFrame> {
  const bitmap = frame.image instanceof Blob ? await createImageBitmap(frame.image) : frame.image;
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return {
    index: readFrameIndex(data, bitmap.width, bitmap.height),
    background: readBackground(data, bitmap.width, bitmap.height),
    width: bitmap.width,
    height: bitmap.height,
  };
}

/** Root mean square of a stretch of samples. */
export function rms(samples: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** Which fixture frame a canvas shows. */
export function readCanvasFrameIndex(canvas: HTMLCanvasElement): number {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  return readFrameIndex(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
}
