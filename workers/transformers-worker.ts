/**
 * What the transformers.js workers (the VLM and the small text tier) share: the environment
 * set-up, loading from exactly one source with progress and classified failures, a streamer
 * that emits each decoded piece, and the one-at-a-time job queue with cancellation.
 * The workers differ only in their model classes, their inputs and what they return.
 */
import { BaseStreamer, InterruptableStoppingCriteria, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { AppError, cancelledError } from '../src/core/errors';
import { installAppErrorTransfer } from '../src/rpc/comlink-errors';
import { failOnServerErrors, loadFailure } from '../src/models/engines/engine-errors';
import { configureOnnxWasm, useOnnxBuildFor } from '../src/models/engines/onnx-wasm';
import { progressForwarder, type ModelLoadProgress } from '../src/models/engines/load-progress';
import type { VlmWorkerLoadOptions, VlmWorkerSource } from '../src/models/engines/vlm-engine';

/** Call once at the worker's start. */
export function prepareTransformersWorker(): void {
  installAppErrorTransfer();
  // transformers.js would fetch ONNX Runtime's files from a CDN; ours come from the app's own server.
  if (env.backends.onnx.wasm) configureOnnxWasm(env.backends.onnx.wasm);
  env.fetch = failOnServerErrors(fetch.bind(self));
}

/**
 * Emits each new piece of the reply as soon as it decodes. TextStreamer holds text back until a
 * word ends; the agent shows and parses tokens as they come, so this streams per token and holds
 * back only an incomplete UTF-8 sequence.
 */
export class ReplyStreamer extends BaseStreamer {
  readonly ids: bigint[] = [];
  private promptSeen = false;
  private emitted = 0;
  private lastDelivery: Promise<unknown> = Promise.resolve();
  text = '';

  constructor(
    private readonly tokenizer: Pick<PreTrainedTokenizer, 'decode'>,
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
export function nextTask(): Promise<void> {
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
export function yieldBetweenSteps(model: PreTrainedModel): void {
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
function configureSource(source: VlmWorkerSource): { modelId: string; revision?: string } {
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

/** The options every `from_pretrained` call of one load shares. */
export interface PretrainedCommon {
  revision?: string;
  progress_callback: ReturnType<typeof progressForwarder>;
}

/**
 * Runs `load` against `options.source` with ONNX Runtime's build chosen for the device and
 * download progress forwarded; a failure becomes the AppError saying why (engine-errors.ts).
 */
export async function loadFromSource<T>(
  options: VlmWorkerLoadOptions,
  onProgress: ((progress: ModelLoadProgress) => void) | undefined,
  load: (modelId: string, common: PretrainedCommon) => Promise<T>,
): Promise<T> {
  if (env.backends.onnx.wasm) useOnnxBuildFor(env.backends.onnx.wasm, options.device);
  // Counted so a failure can tell a host never reached (nothing arrived) from a cut download.
  let receivedBytes = 0;
  const progress_callback = progressForwarder((progress) => {
    receivedBytes = progress.loaded;
    onProgress?.(progress);
  });
  try {
    const { modelId, revision } = configureSource(options.source);
    return await load(modelId, { ...(revision === undefined ? {} : { revision }), progress_callback });
  } catch (error) {
    const where = options.source.kind === 'hub' ? `hub:${options.source.repo}` : `url:${options.source.url}`;
    const { label, smallerLabel, device, dtype } = options;
    const from = options.source.kind === 'hub' ? 'hub' : 'site';
    throw loadFailure(error, { label, smallerLabel, from, receivedBytes, device, where: `${where} on ${device} (${JSON.stringify(dtype)})` });
  }
}

export interface Job {
  id: string;
  cancelled: boolean;
  stopper: InterruptableStoppingCriteria | null;
}

/** Loads and jobs run one after another: one model, one KV cache. */
export class JobQueue {
  private running: Job | null = null;
  private readonly queued = new Map<string, Job>();
  private tail: Promise<unknown> = Promise.resolve();

  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Queues a job named `jobId`; `run` gets it in its turn unless it was cancelled while waiting. */
  submit<T>(jobId: string, run: (job: Job) => Promise<T>): Promise<T> {
    const job: Job = { id: jobId, cancelled: false, stopper: null };
    this.queued.set(job.id, job);
    return this.enqueue(async () => {
      this.queued.delete(job.id);
      if (job.cancelled) throw cancelledError();
      this.running = job;
      try {
        return await run(job);
      } finally {
        this.running = null;
      }
    });
  }

  /** A fresh stopping criterion for `job`, which `interrupt` and `cancel` reach. */
  stopperFor(job: Job): InterruptableStoppingCriteria {
    job.stopper = new InterruptableStoppingCriteria();
    return job.stopper;
  }

  /** Ends the running generation early; it keeps what it wrote. */
  interrupt(): void {
    this.running?.stopper?.interrupt();
  }

  cancel(jobId: string): void {
    const job = this.running?.id === jobId ? this.running : this.queued.get(jobId);
    if (!job) return;
    job.cancelled = true;
    job.stopper?.interrupt();
  }

  /** Cancels the running job and every queued one. */
  cancelAll(): void {
    if (this.running) this.cancel(this.running.id);
    for (const id of this.queued.keys()) this.cancel(id);
  }
}
