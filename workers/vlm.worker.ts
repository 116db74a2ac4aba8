/**
 * The vision-language model in its own worker: transformers.js' AutoProcessor and
 * AutoModelForImageTextToText, frames as images or (Qwen-VL families) as one video, greedy
 * decoding streamed token by token.
 * Loads only from the source it is given and serves ONNX Runtime's WASM from the app itself.
 */
import * as Comlink from 'comlink';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  BaseStreamer,
  InterruptableStoppingCriteria,
  Tensor,
  env,
  type PreTrainedModel,
  type Processor,
  type TextStreamer,
} from '@huggingface/transformers';
import { AppError, cancelledError } from '../src/core/errors';
import { installAppErrorTransfer } from '../src/rpc/comlink-errors';
import { failOnServerErrors, generateFailure, loadFailure } from '../src/models/engines/engine-errors';
import { configureOnnxWasm, useOnnxBuildFor } from '../src/models/engines/onnx-wasm';
import { progressForwarder } from '../src/models/engines/load-progress';
import { QWEN_VISION_FAMILIES, installQwenVisionSupport, type QwenVisionSupport } from '../src/models/qwen-vl/transformers-vision';
import { promptInputs } from '../src/models/qwen-vl/prompt-inputs';
import type { VlmInspection, VlmLoadProgress, VlmLoadResult, VlmWorkerApi, VlmWorkerGenerateRequest, VlmWorkerLoadOptions } from '../src/models/engines/vlm-engine';

installAppErrorTransfer();

// transformers.js would fetch ONNX Runtime's files from a CDN; ours come from the app's own server.
if (env.backends.onnx.wasm) configureOnnxWasm(env.backends.onnx.wasm);
env.fetch = failOnServerErrors(fetch.bind(self));

interface Loaded {
  /** The model's name in messages. */
  label: string;
  processor: Processor;
  model: PreTrainedModel;
  /** Present for Qwen-VL families: positions, vision calls, video (2.5) and DeepStack (3). */
  vision: QwenVisionSupport | null;
}

const PROMPT_PACK_FILE = 'sage_prompts.json';

interface Job {
  id: string;
  cancelled: boolean;
  stopper: InterruptableStoppingCriteria | null;
}

let loaded: Loaded | null = null;
let running: Job | null = null;
const queued = new Map<string, Job>();
let queue: Promise<unknown> = Promise.resolve();

type Tokenizer = NonNullable<Processor['tokenizer']>;

/**
 * Emits each new piece of the reply as soon as it decodes. TextStreamer holds text back until a
 * word ends; the agent shows and parses tokens as they come, so this streams per token and holds
 * back only an incomplete UTF-8 sequence.
 */
class ReplyStreamer extends BaseStreamer {
  private readonly ids: bigint[] = [];
  private promptSeen = false;
  private emitted = 0;
  private lastDelivery: Promise<unknown> = Promise.resolve();
  text = '';

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly onText: ((text: string) => void) | undefined,
  ) {
    super();
  }

  override put(value: bigint[][]): void {
    if (!this.promptSeen) {
      this.promptSeen = true;
      return;
    }
    this.ids.push(...(value[0] ?? []));
    this.text = this.tokenizer.decode(this.ids, { skip_special_tokens: true });
    if (!this.text.endsWith('\uFFFD')) this.flush();
  }

  override end(): void {
    this.flush();
  }

  /**
   * Resolves once the caller has received every piece. The callback is a comlink proxy with its
   * own port, so without this the reply could arrive before its last pieces.
   */
  delivered(): Promise<unknown> {
    return this.lastDelivery;
  }

  private flush(): void {
    if (this.text.length <= this.emitted || !this.onText) return;
    const piece = this.text.slice(this.emitted);
    this.emitted = this.text.length;
    // Through comlink the call returns a promise; messages on one port arrive in order.
    this.lastDelivery = Promise.resolve(this.onText(piece) as unknown);
  }
}

/** A task boundary (not a microtask), so messages waiting for the worker are handled. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * On WASM a whole reply can run without returning to the event loop, so `interrupt` and `cancel`
 * would only arrive after it ends. Each decoding step first lets pending messages in.
 */
function yieldBetweenSteps(model: PreTrainedModel): void {
  const forward = model.forward.bind(model);
  model.forward = async (inputs: unknown): Promise<unknown> => {
    await nextTask();
    return (await forward(inputs)) as unknown;
  };
}

/**
 * Points transformers.js at exactly one place: the Hub repository, or a folder on this site.
 * A same-origin URL is reduced to its path: transformers.js treats a full URL as remote.
 */
function configureSource(source: VlmWorkerLoadOptions['source']): { modelId: string; revision?: string } {
  if (source.kind === 'hub') {
    env.allowRemoteModels = true;
    env.allowLocalModels = false;
    env.useBrowserCache = true;
    return source.revision === undefined ? { modelId: source.repo } : { modelId: source.repo, revision: source.revision };
  }
  const url = new URL(source.url, self.location.href);
  if (url.origin !== self.location.origin) {
    throw new AppError('invalid-argument', 'Local models must be served by this site.', { detail: source.url });
  }
  const segments = url.pathname.split('/').filter((segment) => segment.length > 0);
  const modelId = segments.pop();
  if (!modelId) throw new AppError('invalid-argument', 'The model folder URL has no folder name.', { detail: source.url });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  // Files on our own server need no second copy in the Cache API.
  env.useBrowserCache = false;
  env.localModelPath = `/${segments.map((segment) => `${segment}/`).join('')}`;
  return { modelId };
}

async function modelInputs(loadedModel: Loaded, request: VlmWorkerGenerateRequest): Promise<Record<string, unknown>> {
  const { vision } = loadedModel;
  vision?.setSecondsPerGrid(request.video ? [request.video.secondsPerGrid] : []);
  return promptInputs(loadedModel.processor, request, vision?.video ?? null);
}

async function runJob(job: Job, request: VlmWorkerGenerateRequest, onToken?: (text: string) => void): Promise<string> {
  queued.delete(job.id);
  if (job.cancelled) throw cancelledError();
  if (!loaded) throw new AppError('invalid-argument', 'The vision-language model is not loaded yet.');
  const current = loaded;
  const { processor, model } = current;
  const tokenizer = processor.tokenizer;
  if (!tokenizer) throw new AppError('model-load-failed', 'The model has no tokenizer.');

  running = job;
  try {
    const inputs = await modelInputs(current, request);
    if (job.cancelled) throw cancelledError();
    job.stopper = new InterruptableStoppingCriteria();
    const streamer = new ReplyStreamer(tokenizer, onToken);
    await model.generate({
      ...inputs,
      max_new_tokens: request.maxNewTokens,
      do_sample: false,
      // generate() takes any BaseStreamer; its typings merge in GenerationConfig's TextStreamer.
      streamer: streamer as unknown as TextStreamer,
      stopping_criteria: job.stopper,
    });
    await streamer.delivered();
    if (job.cancelled) throw cancelledError();
    return streamer.text;
  } catch (error) {
    throw generateFailure(error, { label: current.label });
  } finally {
    running = null;
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
  const output = (await model.forward({ ...inputs })) as { logits: Tensor };
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

async function releaseModel(): Promise<void> {
  const current = loaded;
  loaded = null;
  await current?.model.dispose();
}

/** Loads and jobs run one after another: one model, one KV cache. */
function enqueue<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task);
  queue = result.catch(() => {});
  return result;
}

async function loadModel(
  options: VlmWorkerLoadOptions,
  onProgress?: (progress: VlmLoadProgress) => void,
): Promise<VlmLoadResult> {
  await releaseModel();
  const started = performance.now();
  if (env.backends.onnx.wasm) useOnnxBuildFor(env.backends.onnx.wasm, options.device);
  // Counted so a failure can tell a host never reached (nothing arrived) from a cut download.
  let receivedBytes = 0;
  const counting = progressForwarder((progress) => {
    receivedBytes = progress.loaded;
    onProgress?.(progress);
  });
  try {
    const { modelId, revision } = configureSource(options.source);
    const common = {
      ...(revision === undefined ? {} : { revision }),
      progress_callback: counting,
    };
    const processor = await AutoProcessor.from_pretrained(modelId, common);
    const model = await AutoModelForImageTextToText.from_pretrained(modelId, {
      ...common,
      device: options.device,
      dtype: options.dtype,
    });
    yieldBetweenSteps(model);
    const family = String(model.config.model_type ?? 'unknown');
    const vision = QWEN_VISION_FAMILIES.has(family) ? installQwenVisionSupport(model) : null;
    loaded = { label: options.label, processor, model, vision };
    const promptPack = await fetchPromptPack(options.source);
    return {
      device: options.device,
      family,
      loadSeconds: (performance.now() - started) / 1000,
      acceptsVideo: vision !== null,
      ...(promptPack === undefined ? {} : { promptPack }),
    };
  } catch (error) {
    const where = options.source.kind === 'hub' ? `hub:${options.source.repo}` : `url:${options.source.url}`;
    const { label, smallerLabel, device, dtype } = options;
    const from = options.source.kind === 'hub' ? 'hub' : 'site';
    throw loadFailure(error, { label, smallerLabel, from, receivedBytes, where: `${where} on ${device} (${JSON.stringify(dtype)})` });
  }
}

const api: VlmWorkerApi = {
  load(options, onProgress) {
    return enqueue(() => loadModel(options, onProgress));
  },

  generate(request, onToken) {
    const job: Job = { id: request.jobId, cancelled: false, stopper: null };
    queued.set(job.id, job);
    // The callback is a comlink proxy (the client's watchdog listens to it): release its port after the job.
    const release = () => (onToken as Partial<Comlink.Remote<(text: string) => void>> | undefined)?.[Comlink.releaseProxy]?.();
    return enqueue(() => runJob(job, request, onToken)).finally(release);
  },

  inspect(request, greedySteps) {
    return enqueue(() => inspectPrompt(request, greedySteps));
  },

  measureVision(request) {
    return enqueue(() => measureVision(request));
  },

  interrupt() {
    running?.stopper?.interrupt();
  },

  cancel(jobId) {
    const job = running?.id === jobId ? running : queued.get(jobId);
    if (!job) return;
    job.cancelled = true;
    job.stopper?.interrupt();
  },

  dispose() {
    if (running) api.cancel(running.id);
    for (const id of queued.keys()) api.cancel(id);
    return enqueue(releaseModel);
  },
};

Comlink.expose(api);
