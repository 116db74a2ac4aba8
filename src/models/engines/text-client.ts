/** Main-thread client of the small text tier's worker: a `TextGenerator` the speech-only answer uses. */
import * as Comlink from 'comlink';
import { cancelOnAbort, untilAborted } from '../../core/cancellation';
import type { TextGenerateRequest, TextGenerator } from '../../core/contracts';
import type { ModelLoadProgress } from './load-progress';
import { ModelWorker } from './model-worker';
import type { TextLoadResult, TextReply, TextWorkerApi, TextWorkerLoadOptions } from './text-engine';

/** Answers from passages are a sentence or two. */
const DEFAULT_MAX_NEW_TOKENS = 160;

export class TextClient implements TextGenerator {
  private readonly worker: ModelWorker<TextWorkerApi>;
  private nextJob = 0;

  constructor(private readonly options: TextWorkerLoadOptions) {
    this.worker = new ModelWorker(new Worker(new URL('../../../workers/text.worker.ts', import.meta.url), { type: 'module' }), 'text model');
  }

  load(onProgress?: (progress: ModelLoadProgress) => void): Promise<TextLoadResult> {
    if (this.worker.closed) return Promise.reject(this.worker.closedError());
    return Promise.race([this.worker.remote.load(this.options, onProgress ? Comlink.proxy(onProgress) : undefined), this.worker.failed]);
  }

  async generate(request: TextGenerateRequest): Promise<string> {
    return (await this.reply(request)).text;
  }

  /** The reply with its token ids. Aborting rejects at once with a 'cancelled' AppError. */
  async reply(request: TextGenerateRequest): Promise<TextReply> {
    const { signal, onToken, prompt, system, maxNewTokens = DEFAULT_MAX_NEW_TOKENS } = request;
    if (this.worker.closed) throw this.worker.closedError();
    const jobId = `text-${++this.nextJob}`;
    return cancelOnAbort(signal, () => void this.worker.remote.cancel(jobId), () => {
      const call = this.worker.remote.generate({ jobId, prompt, maxNewTokens, ...(system === undefined ? {} : { system }) }, onToken ? Comlink.proxy(onToken) : undefined);
      return signal ? untilAborted(call, signal) : call;
    });
  }

  dispose(): Promise<void> {
    return this.worker.dispose();
  }
}
