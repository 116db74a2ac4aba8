/**
 * SmolVLM's (Idefics3's) picture inputs as PyTorch `transformers`' Idefics3ImageProcessor and
 * Idefics3Processor make them: the picture resized (Lanczos, as Pillow does it) so its longest
 * side is the processor's `size`, then to whole tiles of `max_image_size`, cut into those tiles
 * row by row, plus the whole picture resized to one tile as the global view; rescaled and
 * normalised in float32; each picture's placeholder expanded to its tiles' tokens. transformers.js
 * 4.3.2 resizes the normalised floats bilinearly instead, which moves every pixel
 * (tests/browser/vlm-idefics3-fidelity.test.ts compares both ways with PyTorch).
 */
import { Tensor, type Processor, type RawImage } from '@huggingface/transformers';
import { lanczosResize, type Rgb } from './pil-resize';

interface Idefics3Config {
  image_processor_type?: unknown;
  do_resize?: boolean;
  size?: { longest_edge?: number };
  do_image_splitting?: boolean;
  max_image_size?: { longest_edge?: number };
  resample?: number;
  do_rescale?: boolean;
  rescale_factor?: number;
  do_normalize?: boolean;
  image_mean?: number[];
  image_std?: number[];
}

const PIL_LANCZOS = 1;

/** transformers' `_resize_output_size_rescale_to_max_len`: the longest side to `longest`, the other even. */
function longestSideTo(height: number, width: number, longest: number): [number, number] {
  const aspect = width / height;
  let [h, w] = [height, width];
  if (width >= height) {
    w = longest;
    h = Math.trunc(w / aspect);
    if (h % 2 !== 0) h += 1;
  } else {
    h = longest;
    w = Math.trunc(h * aspect);
    if (w % 2 !== 0) w += 1;
  }
  return [Math.max(h, 1), Math.max(w, 1)];
}

/** transformers' `resize_for_vision_encoder`: both sides up to whole tiles, the aspect kept first. */
function wholeTiles(height: number, width: number, tile: number): [number, number] {
  const aspect = width / height;
  if (width >= height) {
    const w = Math.ceil(width / tile) * tile;
    return [Math.ceil(Math.trunc(w / aspect) / tile) * tile, w];
  }
  const h = Math.ceil(height / tile) * tile;
  return [h, Math.ceil(Math.trunc(h * aspect) / tile) * tile];
}

function crop(image: Rgb, left: number, top: number, width: number, height: number): Rgb {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

function toRgb(image: RawImage): Rgb {
  const rgb = image.channels === 3 ? image : image.clone().rgb();
  return { data: rgb.data, width: rgb.width, height: rgb.height };
}

/** The tiles (row by row, then the global view) and the tile grid (0 x 0 when not split). */
function tilesOf(image: Rgb, config: Idefics3Config): { tiles: Rgb[]; rows: number; cols: number } {
  const tile = config.max_image_size?.longest_edge ?? 364;
  let picture = image;
  if (config.do_resize !== false && config.size?.longest_edge) {
    const [h, w] = longestSideTo(picture.height, picture.width, config.size.longest_edge);
    picture = lanczosResize(picture, w, h);
  }
  if (config.do_image_splitting === false) return { tiles: [lanczosResize(picture, tile, tile)], rows: 0, cols: 0 };
  const [h, w] = wholeTiles(picture.height, picture.width, tile);
  picture = lanczosResize(picture, w, h);
  if (h <= tile && w <= tile) return { tiles: [picture], rows: 0, cols: 0 };
  const rows = Math.ceil(h / tile);
  const cols = Math.ceil(w / tile);
  const tileHeight = Math.ceil(h / rows);
  const tileWidth = Math.ceil(w / cols);
  const tiles: Rgb[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [left, top] = [c * tileWidth, r * tileHeight];
      tiles.push(crop(picture, left, top, Math.min(tileWidth, w - left), Math.min(tileHeight, h - top)));
    }
  }
  tiles.push(lanczosResize(picture, tile, tile));
  return { tiles, rows, cols };
}

/** The prompt text of one picture, as Idefics3Processor writes it. */
function pictureText(rows: number, cols: number, tokens: number, names: { fake: string; image: string; global: string }): string {
  const run = names.image.repeat(tokens);
  const global = `${names.fake}${names.global}${run}${names.fake}`;
  if (rows === 0 && cols === 0) return global;
  let text = '';
  for (let r = 1; r <= rows; r++) {
    for (let c = 1; c <= cols; c++) text += `${names.fake}<row_${r}_col_${c}>${run}`;
    text += '\n';
  }
  return `${text}\n${global}`;
}

/** Inputs for an Idefics3 processor; null when the processor is another kind or resamples otherwise. */
export function idefics3Inputs(processor: Processor, text: string, images: readonly RawImage[]): Record<string, unknown> | null {
  const config: Idefics3Config | undefined = processor.image_processor?.config;
  if (config?.image_processor_type !== 'Idefics3ImageProcessor' || (config.resample ?? PIL_LANCZOS) !== PIL_LANCZOS) return null;
  const fields = processor as unknown as { fake_image_token: string; image_token: string; global_img_token: string; config: { image_seq_len: number } };
  const names = { fake: fields.fake_image_token, image: fields.image_token, global: fields.global_img_token };
  const parts = images.map((image) => tilesOf(toRgb(image), config));
  const pieces = text.split(names.image);
  if (pieces.length !== images.length + 1) return null;
  const prompt = pieces.reduce((joined, piece, index) => {
    const part = parts[index - 1]!;
    return joined + pictureText(part.rows, part.cols, fields.config.image_seq_len, names) + piece;
  });

  const tiles = parts.flatMap((part) => part.tiles);
  const { width, height } = tiles[0]!;
  if (tiles.some((tile) => tile.width !== width || tile.height !== height)) return null;
  const plane = width * height;
  const pixels = new Float32Array(tiles.length * 3 * plane);
  const scale = config.do_rescale === false ? 1 : (config.rescale_factor ?? 1 / 255);
  const mean = config.do_normalize === false ? [0, 0, 0] : (config.image_mean ?? [0.5, 0.5, 0.5]);
  const std = config.do_normalize === false ? [1, 1, 1] : (config.image_std ?? [0.5, 0.5, 0.5]);
  tiles.forEach((tile, index) => {
    for (let channel = 0; channel < 3; channel++) {
      const [m, s] = [Math.fround(mean[channel]!), Math.fround(std[channel]!)];
      const base = (index * 3 + channel) * plane;
      for (let i = 0; i < plane; i++) {
        // float64 rescale cast to float32, then float32 normalisation, as the reference computes it.
        const value = Math.fround(tile.data[i * 3 + channel]! * scale);
        pixels[base + i] = Math.fround(Math.fround(value - m) / s);
      }
    }
  });
  const tokenizer = processor.tokenizer as NonNullable<Processor['tokenizer']>;
  return {
    ...tokenizer(prompt),
    pixel_values: new Tensor('float32', pixels, [1, tiles.length, 3, height, width]),
    pixel_attention_mask: new Tensor('bool', new Uint8Array(tiles.length * plane).fill(1), [1, tiles.length, height, width]),
  };
}
