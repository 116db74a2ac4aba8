/**
 * The vision-language model in its own worker: transformers.js' AutoProcessor and
 * AutoModelForImageTextToText, frames as images or (Qwen-VL families) as one video, greedy
 * decoding streamed token by token.
 * Loads only from the source it is given and serves ONNX Runtime's WASM from the app itself.
 */
import * as Comlink from 'comlink';
import { AutoModelForImageTextToText, AutoProcessor, Tensor, type PreTrainedModel, type Processor, type TextStreamer } from '@huggingface/transformers';
import { AppError, cancelledError } from '../src/core/errors';
import type { ModelWorkProgress } from '../src/core/contracts';
import { generateFailure } from '../src/models/engines/engine-errors';
import { QWEN_VISION_FAMILIES, installQwenVisionSupport, type QwenVisionSupport } from '../src/models/qwen-vl/transformers-vision';
import { promptInputs } from '../src/models/qwen-vl/prompt-inputs';
import { attentionHeads, installChunkedPrefill, prefillChunkTokens, type ChunkedPrefill } from '../src/models/decoder/chunked-prefill';
import type { VlmInspection, VlmLoadResult, VlmWorkerApi, VlmWorkerGenerateRequest, VlmWorkerLoadOptions } from '../src/models/engines/vlm-engine';
import { JobQueue, ReplyStreamer, loadFromSource, nextTask, prepareTransformersWorker, yieldBetweenSteps, type Job } from './transformers-worker';

prepareTransformersWorker();

interface Loaded {
  /** The model's name in messages. */
  label: string;
  /** Where it runs: running out of memory on WASM is its 4 GB limit, said as such. */
  device: VlmWorkerLoadOptions['device'];
  processor: Processor;
  model: PreTrainedModel;
  /** Present for Qwen-VL families: positions, vision calls, video (2.5) and DeepStack (3). */
  vision: QwenVisionSupport | null;
  /** Present for models/export's decoders, whose long prompts run in parts. */
  prefill: ChunkedPrefill | null;
}

const PROMPT_PACK_FILE = 'sage_prompts.json';

let loaded: Loaded | null = null;
const jobs = new JobQueue();

async function modelInputs(loadedModel: Loaded, request: VlmWorkerGenerateRequest): Promise<Record<string, unknown>> {
  const { vision } = loadedModel;
  vision?.setSecondsPerGrid(request.video ? [request.video.secondsPerGrid] : []);
  return promptInputs(loadedModel.processor, request, vision?.video ?? null);
}

/**
 * While `work` runs, each vision call and each part of a prompt prefilled in parts is reported and
 * lets messages in, so a cancel arrives between the steps of a long WASM Stage 1.
 */
async function withWorkSteps<T>(current: Loaded, job: Job, onWork: ((progress: ModelWorkProgress) => void) | undefined, work: () => Promise<T>): Promise<T> {
  const step = (phase: ModelWorkProgress['phase']) => async (done: number, total: number) => {
    onWork?.({ phase, done, total });
    await nextTask();
    if (job.cancelled) throw cancelledError();
  };
  if (current.prefill) current.prefill.onChunk = step('prefill');
  if (current.vision) current.vision.onCall = step('vision');
  try {
    return await work();
  } finally {
    if (current.prefill) current.prefill.onChunk = null;
    if (current.vision) current.vision.onCall = null;
  }
}

async function runJob(job: Job, request: VlmWorkerGenerateRequest, onToken?: (text: string) => void, onWork?: (progress: ModelWorkProgress) => void): Promise<string> {
  if (!loaded) throw new AppError('invalid-argument', 'The vision-language model is not loaded yet.');
  const current = loaded;
  const { processor, model } = current;
  const tokenizer = processor.tokenizer;
  if (!tokenizer) throw new AppError('model-load-failed', 'The model has no tokenizer.');

  try {
    const inputs = await modelInputs(current, request);
    if (job.cancelled) throw cancelledError();
    const streamer = new ReplyStreamer(tokenizer, onToken);
    await withWorkSteps(current, job, onWork, () =>
      model.generate({
        ...inputs,
        max_new_tokens: request.maxNewTokens,
        do_sample: false,
        // generate() takes any BaseStreamer; its typings merge in GenerationConfig's TextStreamer.
        streamer: streamer as unknown as TextStreamer,
        stopping_criteria: jobs.stopperFor(job),
      }),
    );
    await streamer.delivered();
    if (job.cancelled) throw cancelledError();
    return streamer.text;
  } catch (error) {
    throw generateFailure(error, { label: current.label, device: current.device });
  }
}

async function inspectPrompt(request: VlmWorkerGenerateRequest, greedySteps: number): Promise<VlmInspection> {
  if (!loaded) throw new AppError('invalid-argument', 'The vision-language model is not loaded yet.');
  const current = loaded;
  const model = current.model;
  const inputs = (await modelInputs(current, request)) as Record<string, Tensor | undefined>;
  // mRoPE positions for the Qwen families; the others count positions from the attention mask.
  const rope = (model as { get_rope_index?: (ids: unknown, image?: unknown, video?: unknown, mask?: unknown) => [Tensor, Tensor] })
    .get_rope_index;
  const [positions, deltas] = rope
    ? rope.call(model, inputs.input_ids, inputs.image_grid_thw, inputs.video_grid_thw, inputs.attention_mask)
    : [null, null];
  // The last position's logits only, as generate() asks: every position's would be [L, vocab].
  const output = (await model.forward({ ...inputs, num_logits_to_keep: new Tensor('int64', BigInt64Array.of(1n), []) })) as { logits: Tensor };
  const prefillRuns = current.prefill?.lastRuns ?? 1;
  const [, length, vocab] = output.logits.dims as [number, number, number];
  const logits = output.logits.to('float32').data as Float32Array;
  const generated = (await model.generate({ ...inputs, max_new_tokens: greedySteps, do_sample: false })) as Tensor;
  const ids = (inputs.input_ids as Tensor).tolist()[0] as bigint[];
  const pixels = inputs.pixel_values;
  const grid = inputs.image_grid_thw ?? inputs.video_grid_thw;
  const positionRows = positions ? (positions.tolist() as bigint[][][]).map((axis) => axis[0]!.map(Number)) : [];
  return {
    inputIds: ids.map(Number),
    ...(pixels ? { pixelValues: pixels.to('float32').data as Float32Array, pixelShape: [...pixels.dims] } : {}),
    ...(grid ? { gridThw: (grid.tolist()[0] as bigint[]).map(Number) } : {}),
    positionIds: positionRows,
    ropeDelta: deltas ? Number((deltas.tolist() as bigint[][])[0]![0]) : 0,
    nextTokenLogits: logits.slice((length - 1) * vocab, length * vocab),
    greedyTokens: ((generated.tolist() as bigint[][])[0] ?? []).slice(ids.length).map(Number),
    visualTokens: current.vision?.lastVision.tokens ?? 0,
    visionSeconds: current.vision?.lastVision.seconds ?? 0,
    visionCalls: current.vision?.lastVision.calls ?? 0,
    prefillRuns,
  };
}

async function measureVision(request: VlmWorkerGenerateRequest): Promise<{ visualTokens: number; visionSeconds: number }> {
  const current = loaded;
  if (!current?.vision) throw new AppError('invalid-argument', 'Vision timing needs a loaded Qwen-VL-family model.');
  const inputs = await modelInputs(current, request);
  const model = current.model as PreTrainedModel & { encode_image(feeds: Record<string, unknown>): Promise<Tensor> };
  await model.encode_image(inputs);
  return { visualTokens: current.vision.lastVision.tokens, visionSeconds: current.vision.lastVision.seconds };
}

/**
 * The release's prompt pack beside the model's files, if it has one; a missing pack is normal.
 * A Hub model's pack is kept with its other files in transformers.js' browser cache, so a model
 * used offline keeps the prompts it had online (files on this site go through the app's cache).
 */
async function fetchPromptPack(source: VlmWorkerLoadOptions['source']): Promise<unknown> {
  const url =
    source.kind === 'hub'
      ? `https://huggingface.co/${source.repo}/resolve/${encodeURIComponent(source.revision ?? 'main')}/${PROMPT_PACK_FILE}`
      : new URL(PROMPT_PACK_FILE, new URL(source.url.endsWith('/') ? source.url : `${source.url}/`, self.location.href)).href;
  const cache = source.kind === 'hub' && 'caches' in self ? await caches.open('transformers-cache').catch(() => null) : null;
  try {
    const response = await fetch(url);
    if (!response.ok) return undefined;
    await cache?.put(url, response.clone()).catch(() => {});
    return (await response.json()) as unknown;
  } catch {
    const kept = await cache?.match(url).catch(() => undefined);
    return kept ? ((await kept.json().catch(() => undefined)) as unknown) : undefined;
  }
}

/**
 * Long prompts in parts for models/export's decoders (marked `sage_export` in config.json), whose
 * attention and causal mask are known to give the one-run result (chunked-prefill.ts). Other
 * graphs (the Hub's) run as their exporters made them.
 */
function chunkedPrefillFor(model: PreTrainedModel, fixedTokens: number | undefined): ChunkedPrefill | null {
  const config = model.config as unknown as Record<string, unknown>;
  const decoder = (model as unknown as { sessions: Record<string, Parameters<typeof installChunkedPrefill>[0] | undefined> }).sessions.decoder_model_merged;
  if (!decoder || config.sage_export === undefined) return null;
  const heads = attentionHeads(config);
  return installChunkedPrefill(decoder, (total) => fixedTokens ?? prefillChunkTokens(heads, total));
}

async function releaseModel(): Promise<void> {
  const current = loaded;
  loaded = null;
  await current?.model.dispose();
}

async function loadModel(options: VlmWorkerLoadOptions, onProgress?: Parameters<VlmWorkerApi['load']>[1]): Promise<VlmLoadResult> {
  await releaseModel();
  const started = performance.now();
  return loadFromSource(options, onProgress, async (modelId, common) => {
    const processor = await AutoProcessor.from_pretrained(modelId, common);
    const model = await AutoModelForImageTextToText.from_pretrained(modelId, {
      ...common,
      device: options.device,
      dtype: options.dtype,
    });
    yieldBetweenSteps(model);
    const family = String(model.config.model_type ?? 'unknown');
    // Beneath the vision support: DeepStack adds its decoder input, then the parts slice it.
    const prefill = chunkedPrefillFor(model, options.prefillChunkTokens);
    const vision = QWEN_VISION_FAMILIES.has(family) ? installQwenVisionSupport(model) : null;
    loaded = { label: options.label, device: options.device, processor, model, vision, prefill };
    const promptPack = await fetchPromptPack(options.source);
    return {
      device: options.device,
      family,
      loadSeconds: (performance.now() - started) / 1000,
      acceptsVideo: vision !== null,
      ...(promptPack === undefined ? {} : { promptPack }),
    };
  });
}

const api: VlmWorkerApi = {
  load(options, onProgress) {
    return jobs.enqueue(() => loadModel(options, onProgress));
  },

  generate(request, onToken, onWork) {
    // The callbacks are comlink proxies (the client's watchdog listens to them): release their ports after the job.
    const release = () => {
      for (const callback of [onToken, onWork]) (callback as Partial<Comlink.Remote<() => void>> | undefined)?.[Comlink.releaseProxy]?.();
    };
    return jobs.submit(request.jobId, (job) => runJob(job, request, onToken, onWork)).finally(release);
  },

  inspect(request, greedySteps) {
    return jobs.enqueue(() => inspectPrompt(request, greedySteps));
  },

  measureVision(request) {
    return jobs.enqueue(() => measureVision(request));
  },

  interrupt() {
    jobs.interrupt();
  },

  cancel(jobId) {
    jobs.cancel(jobId);
  },

  dispose() {
    jobs.cancelAll();
    return jobs.enqueue(releaseModel);
  },
};

Comlink.expose(api);
