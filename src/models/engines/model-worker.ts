/**
 * One model worker behind comlink, as the VLM and text clients hold it: the worker's failure to
 * start as a rejection to race with, calls refused once it is closed (a terminated worker never
 * answers, so they would hang), and the two ways to close it: disposing the model first, or
 * ending a stuck worker at once.
 */
import * as Comlink from 'comlink';
import { AppError } from '../../core/errors';
import { installAppErrorTransfer } from '../../rpc/comlink-errors';
import { workerFailure } from './worker-failure';

export class ModelWorker<Api extends { dispose(): Promise<void> }> {
  readonly remote: Comlink.Remote<Api>;
  /** Rejects if the worker cannot start (its script not fetched, e.g. offline and never cached). */
  readonly failed: Promise<never>;
  private isClosed = false;

  /** `modelName` as in "The text model was closed." */
  constructor(
    private readonly worker: Worker,
    private readonly modelName: string,
  ) {
    installAppErrorTransfer();
    this.remote = Comlink.wrap<Api>(worker);
    this.failed = workerFailure(worker);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** What a call after closing rejects with. */
  closedError(): AppError {
    return new AppError('invalid-argument', `The ${this.modelName} was closed. Load it again to continue.`);
  }

  /** Ends a stuck worker at once: nothing it holds can be asked for again. */
  end(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.release();
  }

  /** Frees the model, then ends the worker. */
  async dispose(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      await (this.remote as unknown as Comlink.Remote<{ dispose(): Promise<void> }>).dispose();
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
