/**
 * The inputs the VLM worker gives a transformers.js model for one prompt: the chat template's
 * text, then the pictures or the skim, for Qwen-VL families laid out as PyTorch `transformers`
 * lays them out (tests/browser/vlm-fidelity.test.ts and qwen3_5-inputs.test.ts compare them).
 */
import { RawImage, Tensor, cat, type Message, type Processor } from '@huggingface/transformers';
import { AppError } from '../../core/errors';
import type { PixelSize, VlmImage, VlmVideo } from '../../core/contracts';
import { TEMPORAL_PATCH_SIZE, qwen3PatchTimes, videoFrameSize } from './video-inputs';
import { idefics3Inputs } from '../idefics3/image-inputs';

export interface PromptRequest {
  prompt: string;
  system?: string;
  images: readonly VlmImage[];
  video?: VlmVideo;
}

/** How the loaded model takes video: null when it does not (it sees the frames as pictures). */
export interface VideoInput {
  /** The model's family (`model_type`): which of the release's Stage-1 plans sizes its frames. */
  family: string;
  /**
   * Qwen3-VL and Qwen3.5: each temporal patch follows its time in the text, in a vision block of
   * its own, and the frames keep the size videoFrameSize gave them (the image processor's own
   * resize is skipped).
   */
  timed: boolean;
  /**
   * The timed blocks go inside the chat template's own vision block, as transformers 5.24 (Qwen3.5's
   * reference) puts them, rather than in its place, as 4.57.1 (Qwen3-VL's) does.
   */
  inTemplateBlock: boolean;
}

type Tokenizer = NonNullable<Processor['tokenizer']>;

export async function promptInputs(processor: Processor, given: PromptRequest, video: VideoInput | null): Promise<Record<string, unknown>> {
  if (given.video && given.images.length > 0) {
    throw new AppError('invalid-argument', 'A prompt takes either images or a video, not both.');
  }
  // A model without video input sees the same frames as pictures.
  const request = given.video && !video ? { ...given, images: given.video.frames, video: undefined } : given;
  const content: { type: string; text?: string }[] = request.images.map(() => ({ type: 'image' }));
  if (request.video) content.push({ type: 'video' });
  content.push({ type: 'text', text: request.prompt });
  const messages: Message[] = [{ role: 'user', content: content }];
  // As a list of parts: some templates (SmolVLM's) iterate the content, which fails on a string.
  if (request.system !== undefined) messages.unshift({ role: 'system', content: [{ type: 'text', text: request.system }] });
  const text = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;

  if (request.video) {
    const { frames, frameTimes } = request.video;
    const labels = video?.timed ? qwen3PatchTimes(frameTimes ?? frames.map((_, index) => index)) : null;
    const timed = labels ? { labels, inTemplateBlock: video?.inTemplateBlock ?? false } : null;
    const sizing = request.video.sourceSize && video ? { source: request.video.sourceSize, family: video.family } : null;
    return qwenVideoInputs(processor, text, await Promise.all(frames.map(toRawImage)), timed, sizing);
  }
  // Text alone is the tokenizer's, as the Python processors do it (transformers.js' Idefics3
  // processor fails on a prompt without images).
  if (request.images.length === 0) return (processor.tokenizer as Tokenizer)(text);
  const images = await Promise.all(request.images.map(toRawImage));
  return (
    (await qwenVisionInputs(processor, text, images)) ??
    idefics3Inputs(processor, text, images) ??
    ((await processor(text, images)) as Record<string, unknown>)
  );
}

async function toRawImage(image: VlmImage): Promise<RawImage> {
  if (image instanceof Blob) return RawImage.fromBlob(image);
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (!context) throw new AppError('internal', 'This browser cannot read image pixels in a worker.');
  context.drawImage(image, 0, 0);
  return RawImage.fromCanvas(canvas);
}

/**
 * Qwen2-VL-family processors stack a list of images as the frames of one clip (two images become
 * one temporal patch). Each image is processed alone instead, as the Python processor does, and
 * its placeholder expanded to the image's own token count.
 */
async function qwenVisionInputs(
  processor: Processor,
  text: string,
  images: RawImage[],
): Promise<Record<string, unknown> | null> {
  const imageProcessor = processor.image_processor;
  const imageToken = (processor.constructor as { image_token?: unknown }).image_token;
  const mergeSize = (imageProcessor?.config as { merge_size?: unknown } | undefined)?.merge_size;
  if (!imageProcessor || typeof imageToken !== 'string' || typeof mergeSize !== 'number') return null;

  const parts: { pixel_values: Tensor; image_grid_thw?: Tensor }[] = [];
  for (const image of images) parts.push((await imageProcessor(image)) as { pixel_values: Tensor; image_grid_thw?: Tensor });
  const grids = parts.map((part) => part.image_grid_thw);
  if (grids.some((grid) => grid === undefined)) return null;

  let index = 0;
  const expanded = text.replaceAll(imageToken, () => {
    const [t, h, w] = (grids[index++] as Tensor).tolist()[0] as bigint[];
    return imageToken.repeat(Number(t) * Number(h) * Number(w) / (mergeSize * mergeSize));
  });
  if (index !== images.length) {
    throw new AppError('internal', 'The prompt and the images do not match.', {
      detail: `${index} image placeholders for ${images.length} images`,
    });
  }
  const tokenizer = processor.tokenizer as Tokenizer;
  return {
    ...tokenizer(expanded),
    pixel_values: cat(parts.map((part) => part.pixel_values), 0),
    image_grid_thw: cat(grids as Tensor[], 0),
  };
}

/**
 * The skim as video input: frames resized as the release sizes them from the source's size (when
 * the request gives it), an odd count padded with the last frame (as the Python processor pads),
 * stacked two by two into temporal patches by the image processor, and the video placeholder
 * expanded to one token per merged patch.
 *
 * transformers.js has no video processor, so the image processor's resize rule would apply to
 * each frame. That is Qwen2.5-VL's video rule too (its video processor has the image processor's
 * per-frame bounds), but not Qwen3-VL's: its video processor bounds the whole clip (4,096 to
 * 25,165,824 pixels as released), which a sized skim is within, while its image processor's
 * per-image minimum (65,536 pixels as released) is above a 48-token frame (49,152), so every
 * frame would be enlarged (a 16:9 skim's 45 tokens to 66) and resampled a second time. Timed
 * frames skip it.
 */
async function qwenVideoInputs(
  processor: Processor,
  text: string,
  frames: RawImage[],
  timed: { labels: readonly string[]; inTemplateBlock: boolean } | null,
  sizing: { source: PixelSize; family: string } | null,
): Promise<Record<string, unknown>> {
  const imageProcessor = processor.image_processor;
  const config = imageProcessor?.config as { merge_size?: unknown; patch_size?: unknown } | undefined;
  const mergeSize = config?.merge_size;
  const patchSize = config?.patch_size;
  if (!imageProcessor || typeof mergeSize !== 'number' || typeof patchSize !== 'number') {
    throw new AppError('internal', 'This model has no video processor.');
  }
  const first = frames[0];
  if (!first) throw new AppError('invalid-argument', 'A video needs at least one frame.');
  // Sized from the source as the release sizes them; without the source's size, taken as given.
  const size = sizing
    ? videoFrameSize(sizing.source.height, sizing.source.width, frames.length, { factor: patchSize * mergeSize, family: sizing.family })
    : first;
  const sized = await Promise.all(
    frames.map(async (frame) => (frame.height === size.height && frame.width === size.width ? frame : frame.resize(size.width, size.height))),
  );
  while (sized.length % TEMPORAL_PATCH_SIZE !== 0) sized.push(sized[sized.length - 1]!);
  const frameProcessor = timed ? keepingSize(imageProcessor) : imageProcessor;
  const { pixel_values, image_grid_thw } = (await frameProcessor(sized)) as { pixel_values: Tensor; image_grid_thw: Tensor };
  const [t, h, w] = (image_grid_thw.tolist()[0] as bigint[]).map(Number) as [number, number, number];
  const videoToken = '<|video_pad|>';
  const block = `<|vision_start|>${videoToken}<|vision_end|>`;
  if (text.split(block).length !== 2) {
    throw new AppError('internal', 'The prompt and the video do not match.', { detail: 'expected one video placeholder' });
  }
  const perPatch = (h * w) / (mergeSize * mergeSize);
  // Qwen2.5-VL: one block. Timed: each temporal patch after its time, in a block of its own, the
  // lot inside the template's block or in its place.
  const vision = (pads: number) => `<|vision_start|>${videoToken.repeat(pads)}<|vision_end|>`;
  let placeholder = vision(t * perPatch);
  if (timed) {
    if (timed.labels.length !== t) throw new AppError('internal', 'The frame times and the video do not match.');
    const patches = timed.labels.map((label) => label + vision(perPatch)).join('');
    placeholder = timed.inTemplateBlock ? `<|vision_start|>${patches}<|vision_end|>` : patches;
  }
  const tokenizer = processor.tokenizer as Tokenizer;
  return { ...tokenizer(text.replace(block, placeholder)), pixel_values, video_grid_thw: image_grid_thw };
}

type ImageProcessor = NonNullable<Processor['image_processor']>;

/** The same image processor, without its resize step. */
function keepingSize(imageProcessor: ImageProcessor): ImageProcessor {
  const Class = imageProcessor.constructor as new (config: Record<string, unknown>) => ImageProcessor;
  return new Class({ ...(imageProcessor.config as Record<string, unknown>), do_resize: false });
}
