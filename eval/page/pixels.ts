/** A frame image's RGBA pixels, drawn on an OffscreenCanvas (what the scripted orchestrators read). */
import type { Pixels, ReadPixels } from '../scripted/reading';

export const canvasPixels: ReadPixels = async (image): Promise<Pixels> => {
  const bitmap = image instanceof Blob ? await createImageBitmap(image) : image;
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d canvas');
    context.drawImage(bitmap, 0, 0);
    return { data: context.getImageData(0, 0, bitmap.width, bitmap.height).data, width: bitmap.width, height: bitmap.height };
  } finally {
    // A bitmap made here is ours to free; the skim's own stay with the frame store.
    if (bitmap !== image) bitmap.close();
  }
};
