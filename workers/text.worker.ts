/**
 * The small text tier in its own worker: transformers.js' AutoTokenizer and AutoModelForCausalLM,
 * the chat template applied (Qwen3's thinking turned off), greedy decoding streamed piece by piece.
 * Loads only from the source it is given and serves ONNX Runtime's WASM from the app itself.
 */
import * as Comlink from 'comlink';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  BaseStreamer,
  InterruptableStoppingCriteria,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
  type TextStreamer,
} from '@huggingface/transformers';
import { AppError, cancelledError } from '../src/core/errors';
import { installAppErrorTransfer } from '../src/rpc/comlink-errors';
import { failOnServerErrors, generateFailure, loadFailure } from '../src/models/engines/engine-errors';
import { configureOnnxWasm, useOnnxBuildFor } from '../src/models/engines/onnx-wasm';
import { progressForwarder } from '../src/models/engines/load-progress';
import type { TextWorkerApi, TextWorkerLoadOptions, TextWorkerGenerateRequest, TextReply, TextLoadResult } from '../src/models/engines/text-engine';

installAppErrorTransfer();

if (env.backends.onnx.wasm) configureOnnxWasm(env.backends.onnx.wasm);
env.fetch = failOnServerErrors(fetch.bind(self));

interface Loaded {
  label: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

interface Job {
  id: string;
  cancelled: boolean;
  stopper: InterruptableStoppingCriteria | null;
}

let loaded: Loaded | null = null;
let running: Job | null = null;
const queued = new Map<string, Job>();
let queue: Promise<unknown> = Promise.resolve();

/** Streams each decoded piece after the prompt, holding back only an incomplete UTF-8 sequence. */
class ReplyStreamer extends BaseStreamer {
  readonly ids: bigint[] = [];
  private promptSeen = false;
  private emitted = 0;
  private lastDelivery: Promise<unknown> = Promise.resolve();
  text = '';

  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
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

  delivered(): Promise<unknown> {
    return this.lastDelivery;
  }

  private flush(): void {
    if (this.text.length <= this.emitted || !this.onText) return;
    const piece = this.text.slice(this.emitted);
    this.emitted = this.text.length;
    this.lastDelivery = Promise.resolve(this.onText(piece) as unknown);
  }
}

/** A task boundary, so `cancel` reaches the worker between decoding steps on WASM. */
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

function yieldBetweenSteps(model: PreTrainedModel): void {
  const forward = model.forward.bind(model);
  model.forward = async (inputs: unknown): Promise<unknown> => {
    await nextTask();
    return (await forward(inputs)) as unknown;
  };
}

/** Points transformers.js at exactly one place, as the VLM worker does. */
function configureSource(source: TextWorkerLoadOptions['source']): { modelId: string; revision?: string } {
  if (source.kind === 'hub') {
    env.allowRemoteModels = true;
    env.allowLocalModels = false;
    env.useBrowserCache = true;
    return source.revision === undefined ? { modelId: source.repo } : { modelId: source.repo, revision: source.revision };
  }
  const url = new URL(source.url, self.location.href);
  if (url.origin !== self.location.origin) throw new AppError('invalid-argument', 'Local models must be served by this site.', { detail: source.url });
  const segments = url.pathname.split('/').filter((segment) => segment.length > 0);
  const modelId = segments.pop();
  if (!modelId) throw new AppError('invalid-argument', 'The model folder URL has no folder name.', { detail: source.url });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.localModelPath = `/${segments.map((segment) => `${segment}/`).join('')}`;
  return { modelId };
}

async function loadModel(options: TextWorkerLoadOptions, onProgress?: Parameters<TextWorkerApi['load']>[1]): Promise<TextLoadResult> {
  await releaseModel();
  const started = performance.now();
  if (env.backends.onnx.wasm) useOnnxBuildFor(env.backends.onnx.wasm, options.device);
  let receivedBytes = 0;
  const progress_callback = progressForwarder((progress) => {
    receivedBytes = progress.loaded;
    onProgress?.(progress);
  });
  try {
    const { modelId, revision } = configureSource(options.source);
    const common = { ...(revision === undefined ? {} : { revision }), progress_callback };
    const tokenizer = await AutoTokenizer.from_pretrained(modelId, common);
    const model = await AutoModelForCausalLM.from_pretrained(modelId, { ...common, device: options.device, dtype: options.dtype });
    yieldBetweenSteps(model);
    loaded = { label: options.label, tokenizer, model };
    return { device: options.device, family: String(model.config.model_type ?? 'unknown'), loadSeconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const from = options.source.kind === 'hub' ? 'hub' : 'site';
    const where = options.source.kind === 'hub' ? `hub:${options.source.repo}` : `url:${options.source.url}`;
    throw loadFailure(error, { label: options.label, from, receivedBytes, where: `${where} on ${options.device} (${JSON.stringify(options.dtype)})` });
  }
}

async function runJob(job: Job, request: TextWorkerGenerateRequest, onToken?: (text: string) => void): Promise<TextReply> {
  queued.delete(job.id);
  if (job.cancelled) throw cancelledError();
  if (!loaded) throw new AppError('invalid-argument', 'The text model is not loaded yet.');
  const { tokenizer, model, label } = loaded;
  running = job;
  try {
    const messages = [...(request.system === undefined ? [] : [{ role: 'system', content: request.system }]), { role: 'user', content: request.prompt }];
    // Qwen3's template writes an empty thinking block when thinking is off: the answer comes at once.
    const text = tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true, enable_thinking: false } as never) as unknown as string;
    const inputs = tokenizer(text, { add_special_tokens: false }) as Record<string, Tensor>;
    job.stopper = new InterruptableStoppingCriteria();
    const streamer = new ReplyStreamer(tokenizer, onToken);
    await model.generate({
      ...inputs,
      max_new_tokens: request.maxNewTokens,
      do_sample: false,
      streamer: streamer as unknown as TextStreamer,
      stopping_criteria: job.stopper,
    });
    await streamer.delivered();
    if (job.cancelled) throw cancelledError();
    return { text: streamer.text, tokens: streamer.ids.map(Number) };
  } catch (error) {
    throw generateFailure(error, { label });
  } finally {
    running = null;
  }
}

async function releaseModel(): Promise<void> {
  const current = loaded;
  loaded = null;
  await current?.model.dispose();
}

function enqueue<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task);
  queue = result.catch(() => {});
  return result;
}

const api: TextWorkerApi = {
  load(options, onProgress) {
    return enqueue(() => loadModel(options, onProgress));
  },

  generate(request, onToken) {
    const job: Job = { id: request.jobId, cancelled: false, stopper: null };
    queued.set(job.id, job);
    return enqueue(() => runJob(job, request, onToken));
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
