/**
 * The transformers.js internals the VLM worker hooks into (workers/vlm.worker.ts and
 * src/models/qwen-vl/*), checked on the pinned version with the tiny Qwen2.5-VL loaded by the
 * library itself, so that an upgrade that changes any of them fails here by name instead of
 * silently changing answers:
 *
 * - generate() keeps only the inputs named in the instance's `forward_params`;
 * - a prompt's forward calls the instance's `encode_image` once, with every kept input (so
 *   `video_grid_thw` reaches it), and the instance's `_merge_input_ids_with_image_features` with
 *   the features, and feeds the decoder the embeddings that returns;
 * - `get_rope_index(input_ids, image_grid_thw, video_grid_thw, attention_mask)` gives the prefill's
 *   positions, and the delta it returns is what decode steps add to the cache length;
 * - generate() calls the instance's `forward` once per token; a `BaseStreamer` gets the prompt's
 *   ids first, then each token, then `end()`;
 * - sessions are reached as `model.sessions.<name>`, run through the instance's `run`, with inputs
 *   picked by the instance's `inputNames` (read when the session runs), and expose
 *   `outputNames` and `inputMetadata`; a Tensor holds its ONNX Runtime tensor as `ort_tensor`;
 * - the processor: `constructor.image_token`, `tokenizer`, `apply_chat_template`, and an
 *   `image_processor` with `config.merge_size`/`patch_size` whose class builds from a config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  BaseStreamer,
  RawImage,
  Tensor,
  env,
  type PreTrainedModel,
  type Processor,
} from '@huggingface/transformers';
import { configureOnnxWasm } from '../../src/models/engines/onnx-wasm';

type Feeds = Record<string, unknown>;
interface OrtTensorLike {
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}
interface SessionLike {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly { name: string; type?: string }[];
  run: (feeds: Record<string, OrtTensorLike>, options?: unknown) => Promise<Record<string, OrtTensorLike>>;
}
interface Hooked {
  config: Record<string, unknown>;
  forward_params: string[];
  sessions: Record<string, SessionLike>;
  forward: (inputs: Feeds) => Promise<unknown>;
  encode_image: (feeds: Feeds) => Promise<Tensor>;
  _merge_input_ids_with_image_features: (feeds: Feeds) => { inputs_embeds: Tensor; attention_mask: Tensor };
  get_rope_index: (ids: Tensor, image?: Tensor, video?: Tensor, mask?: Tensor) => [Tensor, Tensor];
  generate: (options: Feeds) => Promise<unknown>;
}

const STEPS = 3;
/** Added to the library's own delta, so decode positions show whose delta they used. */
const DELTA_SHIFT = 1000n;

let processor: Processor;
let loaded: PreTrainedModel;
let model: Hooked;

beforeAll(async () => {
  if (env.backends.onnx.wasm) configureOnnxWasm(env.backends.onnx.wasm, 1);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.localModelPath = '/models/tiny/';
  processor = await AutoProcessor.from_pretrained('tiny-random-qwen2_5_vl');
  loaded = await AutoModelForImageTextToText.from_pretrained('tiny-random-qwen2_5_vl', { device: 'wasm', dtype: 'fp32' });
  model = loaded as unknown as Hooked;
});

afterAll(async () => {
  await loaded?.dispose();
});

function picture(): RawImage {
  const side = 56;
  const data = new Uint8ClampedArray(side * side * 3).map((_, index) => (index * 37) % 256);
  return new RawImage(data, side, side, 3);
}

describe('transformers.js internals the VLM worker relies on', () => {
  it('the model exposes the members the worker replaces, with their arities', () => {
    expect(Array.isArray(model.forward_params)).toBe(true);
    expect(model.forward_params).toEqual(expect.arrayContaining(['input_ids', 'attention_mask', 'pixel_values', 'image_grid_thw']));
    expect(model.forward_params).not.toContain('video_grid_thw');
    expect(model.encode_image).toBeTypeOf('function');
    expect(model._merge_input_ids_with_image_features).toBeTypeOf('function');
    expect(model.get_rope_index).toBeTypeOf('function');
    expect(model.get_rope_index.length).toBe(4);
    expect(model.config.model_type).toBe('qwen2_5_vl');
  });

  it('sessions are named as the worker names them and expose inputs, outputs and metadata', () => {
    const vision = model.sessions.vision_encoder!;
    const decoder = model.sessions.decoder_model_merged!;
    expect(vision.inputNames).toEqual(['pixel_values', 'image_grid_thw']);
    expect(vision.outputNames).toEqual(['image_features']);
    expect(decoder.inputNames).toEqual(expect.arrayContaining(['inputs_embeds', 'attention_mask', 'position_ids']));
    expect(decoder.inputMetadata?.find((meta) => meta.name === 'inputs_embeds')).toMatchObject({ name: 'inputs_embeds', type: 'float32' });
    const tensor = new Tensor('float32', new Float32Array(6), [2, 3]);
    expect((tensor as unknown as { ort_tensor: OrtTensorLike }).ort_tensor.dims).toEqual([2, 3]);
  });

  it('the processor has the members prompt-inputs reads', async () => {
    expect((processor.constructor as { image_token?: unknown }).image_token).toBe('<|image_pad|>');
    expect(processor.tokenizer).toBeTypeOf('function');
    const imageProcessor = processor.image_processor!;
    const config = imageProcessor.config as Record<string, unknown>;
    expect(config.merge_size).toBe(2);
    expect(config.patch_size).toBe(14);
    const Class = imageProcessor.constructor as new (config: Record<string, unknown>) => typeof imageProcessor;
    const kept = new Class({ ...config, do_resize: false, min_pixels: 1e6 });
    const { image_grid_thw } = (await kept(picture())) as { image_grid_thw: Tensor };
    // A 56 x 56 picture would be enlarged to the minimum; without the resize step it stays 4 x 4 patches.
    expect(image_grid_thw.tolist()).toEqual([[1n, 4n, 4n]]);
    const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }], {
      add_generation_prompt: true,
    });
    expect(text).toContain('<|vision_start|><|image_pad|><|vision_end|>');
  });

  it("generate() calls the instance's hooks as the worker expects", async () => {
    const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }], {
      add_generation_prompt: true,
    }) as string;
    const inputs = (await processor(text, picture())) as Record<string, Tensor>;
    const promptLength = inputs.input_ids!.dims[1]!;
    // A grid the vision encoder never sees: only the hook receives it, if generate() keeps it.
    const marker = new Tensor('int64', BigInt64Array.from([7n, 7n, 7n]), [1, 3]);
    model.forward_params.push('video_grid_thw');

    const seen = {
      forward: 0,
      encode: [] as string[][],
      merge: [] as string[][],
      merged: null as Tensor | null,
      rope: [] as unknown[][],
      ropePositions: null as Tensor | null,
      delta: 0n,
      visionRuns: 0,
      inputNameReads: 0,
      decoderFeeds: [] as Record<string, OrtTensorLike>[],
      streamed: [] as number[],
      ended: 0,
    };
    const original = {
      forward: model.forward,
      encode: model.encode_image,
      merge: model._merge_input_ids_with_image_features,
      rope: model.get_rope_index,
    };
    const forward = model.forward.bind(model);
    model.forward = async (feeds) => {
      seen.forward++;
      return forward(feeds);
    };
    const encode = model.encode_image.bind(model);
    model.encode_image = async (feeds) => {
      seen.encode.push(Object.keys(feeds).filter((key) => feeds[key] !== undefined && feeds[key] !== null));
      expect(feeds.video_grid_thw).toBe(marker);
      return encode({ pixel_values: feeds.pixel_values, image_grid_thw: feeds.image_grid_thw });
    };
    const merge = model._merge_input_ids_with_image_features.bind(model);
    model._merge_input_ids_with_image_features = (feeds) => {
      seen.merge.push(Object.keys(feeds));
      const result = merge(feeds);
      seen.merged = result.inputs_embeds;
      return result;
    };
    const rope = model.get_rope_index.bind(model);
    model.get_rope_index = (ids, image, video, mask) => {
      seen.rope.push([ids, image, video, mask]);
      const [positions, deltas] = rope(ids, image, undefined, mask);
      seen.ropePositions = positions;
      seen.delta = (deltas.tolist() as bigint[][])[0]![0]!;
      return [positions, new Tensor('int64', BigInt64Array.from([seen.delta + DELTA_SHIFT]), [1, 1])];
    };
    const vision = model.sessions.vision_encoder!;
    const runVision = vision.run.bind(vision);
    vision.run = async (feeds, options) => {
      seen.visionRuns++;
      return runVision(feeds, options);
    };
    const decoder = model.sessions.decoder_model_merged!;
    const names = decoder.inputNames;
    Object.defineProperty(decoder, 'inputNames', {
      get: () => {
        seen.inputNameReads++;
        return names;
      },
      configurable: true,
    });
    const runDecoder = decoder.run.bind(decoder);
    decoder.run = async (feeds, options) => {
      seen.decoderFeeds.push(feeds);
      return runDecoder(feeds, options);
    };
    class Recorder extends BaseStreamer {
      override put(value: bigint[][]): void {
        seen.streamed.push(value[0]!.length);
      }
      override end(): void {
        seen.ended++;
      }
    }

    try {
      await model.generate({ ...inputs, video_grid_thw: marker, max_new_tokens: STEPS, do_sample: false, streamer: new Recorder() });
    } finally {
      Object.assign(model, {
        forward: original.forward,
        encode_image: original.encode,
        _merge_input_ids_with_image_features: original.merge,
        get_rope_index: original.rope,
      });
      model.forward_params.pop();
    }

    expect(seen.forward).toBe(STEPS);
    expect(seen.encode).toHaveLength(1);
    expect(seen.encode[0]).toEqual(expect.arrayContaining(['pixel_values', 'image_grid_thw', 'video_grid_thw']));
    expect(seen.visionRuns).toBe(1);
    expect(seen.merge).toEqual([expect.arrayContaining(['image_features', 'inputs_embeds', 'input_ids', 'attention_mask'])]);
    expect(seen.rope[0]).toHaveLength(4);
    expect(seen.rope[0]![0]).toBe(inputs.input_ids);
    expect(seen.rope[0]![1]).toBe(inputs.image_grid_thw);
    expect(seen.rope[0]![2]).toBe(marker);
    expect(seen.inputNameReads).toBeGreaterThan(0);

    expect(seen.decoderFeeds).toHaveLength(STEPS);
    const [prefill, ...steps] = seen.decoderFeeds;
    expect(Array.from(prefill!.inputs_embeds!.data)).toEqual(Array.from(seen.merged!.data as Float32Array));
    expect(Array.from(prefill!.position_ids!.data)).toEqual(Array.from(seen.ropePositions!.data as BigInt64Array));
    steps.forEach((feeds, index) => {
      const position = BigInt(promptLength + index) + seen.delta + DELTA_SHIFT;
      expect(Array.from(feeds.position_ids!.data)).toEqual([position, position, position]);
    });
    expect(seen.streamed).toEqual([promptLength, ...Array.from({ length: STEPS }, () => 1)]);
    expect(seen.ended).toBe(1);
  });
});
