/** Main-thread client of the small text tier's worker: a `TextGenerator` the speech-only answer uses. */
import * as Comlink from 'comlink';
import { AppError } from '../../core/errors';
import { cancelOnAbort, untilAborted } from '../../core/cancellation';
import type { TextGenerateRequest, TextGenerator } from '../../core/contracts';
import { installAppErrorTransfer } from '../../rpc/comlink-errors';
import type { ModelLoadProgress } from './load-progress';
import { workerFailure } from './worker-failure';
import type { TextLoadResult, TextReply, TextWorkerApi, TextWorkerLoadOptions } from './text-engine';

/** Answers from passages are a sentence or two. */
const DEFAULT_MAX_NEW_TOKENS = 160;

function closedError(): AppError {
  return new AppError('invalid-argument', 'The text model was closed. Load it again to continue.');
}

export class TextClient implements TextGenerator {
  private readonly worker: Worker;
  private readonly remote: Comlink.Remote<TextWorkerApi>;
  /** Rejects if the worker cannot start (its script not fetched, e.g. offline and never cached). */
  private readonly workerFailed: Promise<never>;
  private nextJob = 0;
  private disposed = false;

  constructor(private readonly options: TextWorkerLoadOptions) {
    installAppErrorTransfer();
    this.worker = new Worker(new URL('../../../workers/text.worker.ts', import.meta.url), { type: 'module' });
    this.remote = Comlink.wrap<TextWorkerApi>(this.worker);
    this.workerFailed = workerFailure(this.worker);
  }

  load(onProgress?: (progress: ModelLoadProgress) => void): Promise<TextLoadResult> {
    if (this.disposed) return Promise.reject(closedError());
    return Promise.race([this.remote.load(this.options, onProgress ? Comlink.proxy(onProgress) : undefined), this.workerFailed]);
  }

  async generate(request: TextGenerateRequest): Promise<string> {
    return (await this.reply(request)).text;
  }

  /** The reply with its token ids. Aborting rejects at once with a 'cancelled' AppError. */
  async reply(request: TextGenerateRequest): Promise<TextReply> {
    const { signal, onToken, prompt, system, maxNewTokens = DEFAULT_MAX_NEW_TOKENS } = request;
    if (this.disposed) throw closedError();
    const jobId = `text-${++this.nextJob}`;
    return cancelOnAbort(signal, () => void this.remote.cancel(jobId), () => {
      const call = this.remote.generate({ jobId, prompt, maxNewTokens, ...(system === undefined ? {} : { system }) }, onToken ? Comlink.proxy(onToken) : undefined);
      return signal ? untilAborted(call, signal) : call;
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await this.remote.dispose();
    } finally {
      this.remote[Comlink.releaseProxy]();
      this.worker.terminate();
    }
  }
}
