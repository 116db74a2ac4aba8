/**
 * Vision input for a transformers.js Qwen2-VL, Qwen2.5-VL, Qwen3-VL or Qwen3.5 model, as PyTorch
 * `transformers` runs it. Used by the VLM worker only. transformers.js 4.3 passes these models
 * images alone and drops Qwen3-VL's DeepStack features; this gives one loaded model:
 *
 * - video: `video_grid_thw` survives generate()'s input filter and reaches the vision encoder;
 *   Qwen2.5-VL's positions advance by the video's seconds per temporal patch (Qwen2-VL's by one),
 *   and Qwen3-VL's temporal patches are positioned as one-frame videos (their times are in the text);
 * - the vision encoder once per grid row, and a video one temporal patch per call, or in runs of
 *   temporal patches when the graph is marked as keeping frames apart (see `temporalPatchesPerCall`);
 * - features at image placeholders first and video placeholders after, as the reference does;
 * - positions from `ropeIndex` (which also fixes transformers.js' text-only offset);
 * - (Qwen3-VL) DeepStack: the encoder's `deepstack_features` scattered to the visual positions
 *   and fed to the decoder's `deepstack_visual_embeds` at prefill, zeros at decode steps (the
 *   export of models/export; transformers.js does not know that input, so the decoder session
 *   hides it from the library and adds it to each run).
 */
import { Tensor, cat, type PreTrainedModel } from '@huggingface/transformers';
import { ropeIndex, type Grid, type RopeConfig, type RopeCursor } from './rope-index';
import type { VideoInput } from './prompt-inputs';
import { zerosLike } from '../tensor-data';

/** Temporal patches per vision-encoder call on a graph that keeps frames apart: 16 x 48 tokens is about 3,000 patches. */
const FRAMES_APART_PATCHES_PER_CALL = 16;

/**
 * How many of a video's temporal patches one vision-encoder call may take. PyTorch attends within
 * each temporal patch (its cu_seqlens are per frame). models/export's graphs do the same with a
 * per-frame mask and say so in config.json (`sage_export.vision_frames_apart`); any other graph
 * (a Hub export) may attend across the whole call, which mixes frames, so it gets one temporal
 * patch per call (tests/browser/vlm-hub-layout.test.ts shows both on a tiny graph of each kind).
 */
function temporalPatchesPerCall(config: Record<string, unknown>): number {
  const mark = config.sage_export as { vision_frames_apart?: unknown } | undefined;
  return mark?.vision_frames_apart === true ? FRAMES_APART_PATCHES_PER_CALL : 1;
}

export interface VisionCallStats {
  /** Seconds spent in the vision encoder for the last prompt. */
  seconds: number;
  /** Merged visual tokens the last prompt's pixels became. */
  tokens: number;
  /** Vision-encoder calls the last prompt took. */
  calls: number;
}

export interface QwenVisionSupport {
  /** How the model's prompts lay out a video. */
  readonly video: VideoInput;
  /** Seconds each video of the next prompt spans per temporal patch (in order); set before generating. */
  setSecondsPerGrid(values: readonly number[]): void;
  readonly lastVision: VisionCallStats;
  ropeConfig: RopeConfig;
  /** Called after each vision-encoder call of a prompt with the calls done and planned; a throw stops the prompt. */
  onCall: ((done: number, total: number) => Promise<void>) | null;
}

/**
 * The families this module prepares. Qwen2-VL's prompt inputs and positions are checked against
 * PyTorch transformers 4.57.1 (tests/browser/vlm-inputs-qwen2_vl.test.ts); its graphs are the Hub's
 * export. transformers.js 4.3 models Qwen3.5 as Qwen3-VL, and its
 * vision config lists no DeepStack layers. Qwen3.5's prompt inputs, rope config and positions are
 * checked against PyTorch transformers 5.24 (tests/browser/qwen3_5-inputs.test.ts); its decoder and
 * vision graphs are the Hub's ONNX exports and are not (no tiny Qwen3.5 export exists here).
 */
export const QWEN_VISION_FAMILIES: ReadonlySet<string> = new Set(['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl', 'qwen3_5']);

/** Families whose video is each temporal patch after its time as text (Qwen3-VL's video layout). */
const TIMED_VIDEO_FAMILIES: ReadonlySet<string> = new Set(['qwen3_vl', 'qwen3_5']);

/**
 * Families whose timed video stays inside the template's vision block. The processor class is the
 * same; its layout changed between the references: Qwen3.5 is checked against transformers 5.24,
 * which keeps the block, Qwen3-VL against the export environment's 4.57.1, which replaces it.
 */
const TEMPLATE_BLOCK_FAMILIES: ReadonlySet<string> = new Set(['qwen3_5']);

/** How a family's prompts lay out a video (`model_type` of its config.json). */
export function videoInputFor(modelType: string): VideoInput {
  return { family: modelType, timed: TIMED_VIDEO_FAMILIES.has(modelType), inTemplateBlock: TEMPLATE_BLOCK_FAMILIES.has(modelType) };
}

const DEEPSTACK_INPUT = 'deepstack_visual_embeds';
const DEEPSTACK_OUTPUT = 'deepstack_features';

type TypedFloats = Float32Array | Uint16Array;
interface OrtLike {
  data: TypedFloats;
  dims: readonly number[];
  type: string;
}
interface SessionLike {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly { name: string; type?: string }[];
  run(feeds: Record<string, unknown>, options?: unknown): Promise<Record<string, OrtLike>>;
}

type Feeds = Record<string, unknown>;
interface MutableModel {
  config: Record<string, unknown> & { vision_config?: Record<string, unknown> };
  forward_params: string[];
  get_rope_index: (ids: Tensor, imageGrid?: Tensor, videoGrid?: Tensor, mask?: Tensor) => [Tensor, Tensor];
  encode_image: (feeds: Feeds) => Promise<Tensor>;
  _merge_input_ids_with_image_features: (feeds: Feeds) => { inputs_embeds: Tensor; attention_mask: Tensor };
}

/**
 * What `ropeIndex` needs from a model's config.json. The token ids are top-level and the merge
 * size is in vision_config in all three families (Qwen3.5's text_config holds the decoder's
 * rope_parameters, which the exported decoder applies itself); tokens_per_second is Qwen2.5-VL's
 * and only scales videos of more than one temporal patch, which the timed families never have;
 * Qwen2-VL's time axis has no scale (checked against transformers 4.57.1 in
 * tests/browser/vlm-inputs-qwen2_vl.test.ts).
 */
export function ropeConfigFrom(config: Record<string, unknown> & { vision_config?: Record<string, unknown> }): RopeConfig {
  const vision = config.vision_config ?? {};
  return {
    imageTokenId: Number(config.image_token_id),
    videoTokenId: Number(config.video_token_id),
    visionStartTokenId: Number(config.vision_start_token_id),
    spatialMergeSize: Number(vision.spatial_merge_size ?? 2),
    tokensPerSecond: config.model_type === 'qwen2_vl' ? null : Number(vision.tokens_per_second ?? 2),
  };
}

export function installQwenVisionSupport(loaded: PreTrainedModel): QwenVisionSupport {
  const model = loaded as unknown as MutableModel;
  const video = videoInputFor(String(model.config.model_type));
  const sessions = (loaded as unknown as { sessions: Record<string, SessionLike | undefined> }).sessions;
  const encoder = sessions.vision_encoder;
  const layers = (model.config.vision_config?.deepstack_visual_indexes as unknown[] | undefined)?.length ?? 0;
  const deepstack = encoder?.outputNames.includes(DEEPSTACK_OUTPUT) ? installDeepStack(encoder, sessions.decoder_model_merged, layers) : null;
  const ropeConfig = ropeConfigFrom(model.config);
  let secondsPerGrid: readonly number[] = [];
  const lastVision: VisionCallStats = { seconds: 0, tokens: 0, calls: 0 };
  const videoStep = temporalPatchesPerCall(model.config);
  let imageTokens = 0;
  const support: QwenVisionSupport = {
    video,
    setSecondsPerGrid(values) {
      secondsPerGrid = [...values];
    },
    lastVision,
    ropeConfig,
    onCall: null,
  };

  // generate() passes the model only the inputs named here.
  if (!model.forward_params.includes('video_grid_thw')) model.forward_params.push('video_grid_thw');

  const encodeOne = model.encode_image.bind(model);
  model.encode_image = async ({ pixel_values, image_grid_thw, video_grid_thw }: Feeds) => {
    const started = performance.now();
    deepstack?.startEncoding();
    const pixels = pixel_values as Tensor;
    const imageGrids = gridsOf(image_grid_thw);
    const grids = [...imageGrids, ...gridsOf(video_grid_thw)];
    const stepOf = (index: number, t: number) => (index < imageGrids.length ? t : videoStep);
    const calls = grids.reduce((sum, [t], index) => sum + Math.ceil(t / stepOf(index, t)), 0);
    const parts: Tensor[] = [];
    let row = 0;
    for (const [index, [t, h, w]] of grids.entries()) {
      const step = stepOf(index, t);
      for (let first = 0; first < t; first += step) {
        const frames = Math.min(step, t - first);
        const rows = frames * h * w;
        parts.push(
          await encodeOne({
            pixel_values: pixels.slice([row, row + rows]),
            image_grid_thw: new Tensor('int64', BigInt64Array.from([frames, h, w].map(BigInt)), [1, 3]),
          }),
        );
        row += rows;
        await support.onCall?.(parts.length, calls);
      }
    }
    if (row !== pixels.dims[0]) throw new Error(`vision input has ${pixels.dims[0]} patches, the grids ${row}`);
    const features = parts.length === 1 ? parts[0]! : cat(parts, 0);
    const merge = ropeConfig.spatialMergeSize ** 2;
    imageTokens = imageGrids.reduce((sum, [t, h, w]) => sum + (t * h * w) / merge, 0);
    lastVision.seconds = (performance.now() - started) / 1000;
    lastVision.tokens = features.dims[0] ?? 0;
    lastVision.calls = parts.length;
    return features;
  };

  model._merge_input_ids_with_image_features = ({ image_features, inputs_embeds, input_ids, attention_mask }: Feeds) => {
    const features = image_features as Tensor;
    const embeds = inputs_embeds as Tensor;
    const ids = (input_ids as Tensor).tolist() as bigint[][];
    const hidden = embeds.dims[2]!;
    const sequence = embeds.dims[1]!;
    const target = embeds.data as Float32Array;
    const source = features.data as Float32Array;
    let nextImage = 0;
    let nextVideo = imageTokens;
    const placed: { feature: number; row: number }[] = [];
    ids.forEach((row, batch) =>
      row.forEach((id, position) => {
        const token = Number(id);
        const feature =
          token === ropeConfig.imageTokenId ? nextImage++ : token === ropeConfig.videoTokenId ? nextVideo++ : -1;
        if (feature < 0) return;
        if (feature >= features.dims[0]!) throw new Error('more vision placeholders than vision features');
        target.set(source.subarray(feature * hidden, (feature + 1) * hidden), (batch * sequence + position) * hidden);
        placed.push({ feature, row: batch * sequence + position });
      }),
    );
    deepstack?.scatter(placed, ids.length, sequence, hidden);
    if (nextImage !== imageTokens || nextVideo !== features.dims[0]) {
      throw new Error(`vision placeholders and features do not match: ${nextImage}+${nextVideo - imageTokens} of ${features.dims[0]}`);
    }
    return { inputs_embeds: embeds, attention_mask: attention_mask as Tensor };
  };

  model.get_rope_index = (inputIds, imageGrid, videoGrid, attentionMask) =>
    promptPositions({ inputIds, imageGrid, videoGrid, attentionMask, secondsPerGrid }, ropeConfig, video);

  return support;
}

/**
 * transformers' get_rope_index on a prompt's tensors: [3, batch, length] positions and the
 * [batch, 1] generation offsets. The timed layout positions each temporal patch as a one-frame
 * video of its own, as the reference splits video_grid_thw (the patches' times are in the text).
 */
export function promptPositions(
  prompt: { inputIds: Tensor; imageGrid?: Tensor; videoGrid?: Tensor; attentionMask?: Tensor; secondsPerGrid: readonly number[] },
  config: RopeConfig,
  video: VideoInput,
): [Tensor, Tensor] {
  const { inputIds, attentionMask, secondsPerGrid } = prompt;
  const rows = inputIds.tolist() as bigint[][];
  const masks = attentionMask ? (attentionMask.tolist() as bigint[][]) : undefined;
  const cursor: RopeCursor = { image: 0, video: 0 };
  const imageGrids = gridsOf(prompt.imageGrid);
  const videoGrids = video.timed
    ? gridsOf(prompt.videoGrid).flatMap(([t, h, w]) => Array.from({ length: t }, () => [1, h, w] as const))
    : gridsOf(prompt.videoGrid);
  const results = rows.map((row, batch) =>
    ropeIndex(
      {
        inputIds: row.map(Number),
        ...(masks ? { attentionMask: masks[batch]!.map(Number) } : {}),
        imageGrids,
        videoGrids,
        secondsPerGrid,
      },
      config,
      cursor,
    ),
  );
  const [batchSize, length] = inputIds.dims as [number, number];
  const positions = new BigInt64Array(3 * batchSize * length);
  results.forEach((result, batch) =>
    result.positionIds.forEach((axis, a) => axis.forEach((value, i) => (positions[(a * batchSize + batch) * length + i] = BigInt(value)))),
  );
  return [
    new Tensor('int64', positions, [3, batchSize, length]),
    new Tensor('int64', BigInt64Array.from(results.map((result) => BigInt(result.delta))), [batchSize, 1]),
  ];
}

/**
 * Keeps the vision encoder's DeepStack output of one prompt, scatters it like the features, and
 * feeds it to the decoder: the dense [layers, batch, sequence, hidden] tensor at prefill, zeros
 * for the tokens generated after.
 */
function installDeepStack(vision: SessionLike, decoder: SessionLike | undefined, depth: number) {
  if (!decoder?.inputNames.includes(DEEPSTACK_INPUT)) {
    throw new Error(`the vision encoder returns ${DEEPSTACK_OUTPUT} but the decoder has no ${DEEPSTACK_INPUT} input`);
  }
  const type = decoder.inputMetadata?.find((meta) => meta.name === DEEPSTACK_INPUT)?.type === 'float16' ? 'float16' : 'float32';
  let parts: OrtLike[] = [];
  let pending: Tensor | null = null;

  const runVision = vision.run.bind(vision);
  vision.run = async (feeds, options) => {
    const out = await runVision(feeds, options);
    const features = out[DEEPSTACK_OUTPUT];
    if (features) parts.push(features);
    return out;
  };

  Object.defineProperty(decoder, 'inputNames', { value: decoder.inputNames.filter((name) => name !== DEEPSTACK_INPUT), configurable: true });
  const runDecoder = decoder.run.bind(decoder);
  decoder.run = async (feeds, options) => {
    const embeds = feeds.inputs_embeds as OrtLike;
    const [batch, length, hidden] = embeds.dims as [number, number, number];
    const dense =
      pending && pending.dims[2] === length
        ? pending
        : new Tensor(type, zerosLike(embeds.data, depth * batch * length * hidden), [depth, batch, length, hidden]);
    pending = null;
    return runDecoder({ ...feeds, [DEEPSTACK_INPUT]: (dense as unknown as { ort_tensor: unknown }).ort_tensor }, options);
  };

  return {
    startEncoding() {
      parts = [];
    },
    /** `placed`: which feature went to which row of the flattened [batch x sequence] embeddings. */
    scatter(placed: readonly { feature: number; row: number }[], batch: number, sequence: number, hidden: number) {
      const first = parts[0];
      if (!first) return;
      if (first.dims[0] !== depth) throw new Error(`${first.dims[0]} DeepStack layers from the encoder, ${depth} in the config`);
      const rows = batch * sequence;
      const dense = zerosLike(first.data, depth * rows * hidden);
      let offset = 0;
      for (const part of parts) {
        const count = part.dims[1]!;
        for (const { feature, row } of placed) {
          if (feature < offset || feature >= offset + count) continue;
          for (let layer = 0; layer < depth; layer++) {
            const from = (layer * count + feature - offset) * hidden;
            dense.set(part.data.subarray(from, from + hidden), (layer * rows + row) * hidden);
          }
        }
        offset += count;
      }
      if (placed.length > offset) throw new Error('more vision placeholders than DeepStack features');
      pending = new Tensor(type, dense, [depth, batch, sequence, hidden]);
    },
  };
}

function gridsOf(value: unknown): Grid[] {
  if (!(value instanceof Tensor)) return [];
  return (value.tolist() as bigint[][]).map((row) => [Number(row[0]), Number(row[1]), Number(row[2])] as const);
}
