/**
 * Pillow's Lanczos resize of an 8-bit RGB picture, computed as Pillow computes it (its
 * Resample.c): per output pixel a kernel of support 3 (widened by the scale when shrinking),
 * normalised, turned into 22-bit fixed point; a horizontal pass rounded to 8 bits, then a
 * vertical one. The Python processors of SmolVLM (Idefics3) resize with it; transformers.js
 * resizes differently, so the VLM worker uses this (tests/browser/vlm-idefics3-fidelity.test.ts).
 */

/** An RGB picture, row-major, three bytes a pixel. */
export interface Rgb {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const SUPPORT = 3;

function sinc(x: number): number {
  if (x === 0) return 1;
  const scaled = x * Math.PI;
  return Math.sin(scaled) / scaled;
}

function lanczos(x: number): number {
  return x >= -SUPPORT && x < SUPPORT ? sinc(x) * sinc(x / SUPPORT) : 0;
}

interface Coefficients {
  /** First input index and count for each output index. */
  bounds: Int32Array;
  /** Fixed-point weights, `size` per output index. */
  weights: Int32Array;
  size: number;
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * size);
  const kernel = new Float64Array(size);
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    const min = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - min;
    let total = 0;
    for (let x = 0; x < count; x++) {
      kernel[x] = lanczos((x + min - center + 0.5) / filterScale);
      total += kernel[x]!;
    }
    for (let x = 0; x < count; x++) {
      const weight = total === 0 ? kernel[x]! : kernel[x]! / total;
      weights[out * size + x] = Math.trunc(weight < 0 ? -0.5 + weight * ONE : 0.5 + weight * ONE);
    }
    bounds[out * 2] = min;
    bounds[out * 2 + 1] = count;
  }
  return { bounds, weights, size };
}

function clip8(sum: number): number {
  const value = Math.floor(sum / ONE);
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** One pass along rows (`horizontal`) or columns, three channels. */
function pass(source: Rgb, width: number, height: number, horizontal: boolean): Rgb {
  const out = new Uint8Array(width * height * 3);
  const { bounds, weights, size } = horizontal ? coefficients(source.width, width) : coefficients(source.height, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = horizontal ? x : y;
      const min = bounds[at * 2]!;
      const count = bounds[at * 2 + 1]!;
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let i = 0; i < count; i++) {
        const weight = weights[at * size + i]!;
        const from = horizontal ? (y * source.width + min + i) * 3 : ((min + i) * source.width + x) * 3;
        r += source.data[from]! * weight;
        g += source.data[from + 1]! * weight;
        b += source.data[from + 2]! * weight;
      }
      const to = (y * width + x) * 3;
      out[to] = clip8(r);
      out[to + 1] = clip8(g);
      out[to + 2] = clip8(b);
    }
  }
  return { data: out, width, height };
}

/** `Image.resize((width, height), Image.LANCZOS)` of an RGB picture. */
export function lanczosResize(image: Rgb, width: number, height: number): Rgb {
  if (image.width === width && image.height === height) return image;
  // Pillow skips a pass whose size does not change.
  const across = image.width === width ? image : pass(image, width, image.height, true);
  return across.height === height ? across : pass(across, width, height, false);
}
