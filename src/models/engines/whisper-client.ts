/** Main-thread handle on the Whisper worker. */
import * as Comlink from 'comlink';
import { AppError, cancelledError, isAppError, toAppError } from '../../core/errors';
import type { SpeechTranscriber } from '../../core/contracts';
import { cancelOnAbort, untilAborted } from '../../core/cancellation';
import { installAppErrorTransfer } from '../../rpc/comlink-errors';
import type { DisposableGenerator } from './resilient-engine';
import { stallFailure } from './engine-errors';
import { formatBytes } from '../../core/units';
import { AUDIO_SAMPLE_RATE } from '../../media/types';
import { stallLimits, watchProgress } from '../../core/watchdog';
import type {
  WhisperLoadOptions,
  WhisperLoadProgress,
  WhisperLoadResult,
  WhisperTranscribeOptions,
  WhisperTranscribeResult,
  WhisperWorkerApi,
} from './whisper-types';

export type { WhisperDevice, WhisperLoadOptions, WhisperLoadProgress, WhisperTranscribeResult } from './whisper-types';

function isStalled(error: unknown): boolean {
  return isAppError(error) && error.code === 'stalled';
}

export interface TranscribeCallOptions extends Omit<WhisperTranscribeOptions, 'jobId'> {
  signal?: AbortSignal;
}


/**
 * How long a cancelled job may take to stop before the worker is replaced. On WASM, inference never
 * yields to the worker's event loop, so a cancel message waits until the job ends on its own.
 */
const CANCEL_GRACE_MS = 1000;

export class WhisperClient implements SpeechTranscriber {
  private worker!: Worker;
  private remote!: Comlink.Remote<WhisperWorkerApi>;
  /** Settles when the current worker has the model (or failed to load it). */
  private ready: Promise<unknown> = Promise.resolve();
  private loadOptions: WhisperLoadOptions | null = null;
  /** Rejecters of calls still running on the current worker, for when it is replaced. */
  private readonly pending = new Set<(error: AppError) => void>();
  private nextJob = 0;

  constructor() {
    installAppErrorTransfer();
    this.spawn();
  }

  load(options: WhisperLoadOptions, onProgress?: (progress: WhisperLoadProgress) => void): Promise<WhisperLoadResult> {
    this.loadOptions = options;
    const loading = this.watchedLoad(options, onProgress);
    this.ready = loading;
    return loading;
  }

  /**
   * Starts ONNX Runtime in the worker, then loads the model, each under a watchdog. Start-up comes
   * first and alone because that is where Firefox stalls: about one multi-threaded WASM start in
   * 60 never finishes there (docs: "Firefox"), while single-threaded starts do. A start that
   * stalls ends its worker and is retried once on a fresh worker with one thread. Download
   * reports advance the load's watchdog; a stalled load ends its worker, so the next load or job
   * starts on a fresh one.
   */
  private async watchedLoad(options: WhisperLoadOptions, onProgress?: (progress: WhisperLoadProgress) => void): Promise<WhisperLoadResult> {
    try {
      await this.watchedStart(options, options.threads);
    } catch (error) {
      if (!isStalled(error) || options.device !== 'wasm') throw error;
      await this.watchedStart(options, 1);
    }
    const remote = this.remote;
    let last: string | undefined;
    return watchProgress(
      {
        idleSeconds: stallLimits().loadSeconds,
        stalled: (idle) =>
          stallFailure(idle, { label: options.label, phase: 'load', lastProgress: last ?? 'no download progress', where: `${options.model} on ${options.device}` }),
        onStall: () => this.replaceWorker(remote, false),
      },
      (advance) =>
        remote.load(
          options,
          Comlink.proxy((progress: WhisperLoadProgress) => {
            last = `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} downloaded`;
            advance();
            onProgress?.(progress);
          }),
        ),
    );
  }

  private watchedStart(options: WhisperLoadOptions, threads: number | undefined): Promise<unknown> {
    const remote = this.remote;
    return watchProgress(
      {
        idleSeconds: stallLimits().startSeconds,
        stalled: (idle) =>
          stallFailure(idle, { label: options.label, phase: 'load', lastProgress: 'starting ONNX Runtime', where: `${options.device}, ${threads ?? 'default'} threads` }),
        onStall: () => this.replaceWorker(remote, false),
      },
      () => remote.startRuntime(options.device, threads),
    );
  }

  /**
   * 16 kHz mono audio → segments with absolute times. Aborting rejects at once with a 'cancelled'
   * AppError; a job that does not stop within a second has its worker replaced and reloaded.
   */
  async transcribe(audio: Float32Array, options: TranscribeCallOptions): Promise<WhisperTranscribeResult> {
    const { signal, ...rest } = options;
    if (signal?.aborted) throw cancelledError();
    await this.ready;
    const remote = this.remote;
    const jobId = `job-${++this.nextJob}`;
    let stopped: Promise<unknown> = Promise.resolve();
    const label = this.loadOptions?.label ?? 'Speech recognition';
    return cancelOnAbort(signal, () => this.cancelJob(remote, jobId, stopped), () =>
      watchProgress(
        {
          idleSeconds: stallLimits().speechJobSeconds,
          stalled: (idle) => stallFailure(idle, { label, phase: 'run', where: `a job of ${(audio.length / AUDIO_SAMPLE_RATE).toFixed(1)} s of audio` }),
          onStall: () => this.replaceWorker(remote, true),
        },
        (advance) => {
          const call = remote.transcribe(audio, { ...rest, jobId }, Comlink.proxy(advance));
          stopped = call.catch(() => {});
          return this.untilReplaced(signal ? untilAborted(call, signal) : call);
        },
      ),
    );
  }

  /** Tells the worker to stop a job; later calls wait until it has, or until its worker has been replaced. */
  private cancelJob(remote: Comlink.Remote<WhisperWorkerApi>, jobId: string, stopped: Promise<unknown>): void {
    remote.cancel(jobId).catch(() => {});
    const grace = new Promise<false>((done) => setTimeout(() => done(false), CANCEL_GRACE_MS));
    this.ready = Promise.race([stopped.then(() => true), grace]).then((hasStopped) => {
      if (hasStopped || this.remote !== remote) return undefined;
      this.replaceWorker(remote, true);
      return this.ready;
    });
    this.ready.catch(() => {});
  }

  /** Settles like `work`, or rejects when the worker running it is replaced. */
  private untilReplaced<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (error: AppError): void => {
        this.pending.delete(fail);
        reject(error);
      };
      this.pending.add(fail);
      work.then(
        (value) => {
          this.pending.delete(fail);
          resolve(value);
        },
        (error: unknown) => fail(toAppError(error)),
      );
    });
  }

  /** Frees the model and ends the worker; the client cannot be used afterwards. */
  async dispose(): Promise<void> {
    try {
      await this.remote.dispose();
    } finally {
      this.remote[Comlink.releaseProxy]();
      this.worker.terminate();
    }
  }

  private spawn(): void {
    this.worker = new Worker(new URL('../../../workers/whisper.worker.ts', import.meta.url), { type: 'module' });
    this.remote = Comlink.wrap<WhisperWorkerApi>(this.worker);
  }

  /**
   * Ends a worker stuck in a cancelled or stalled job (or a stalled load) and starts a fresh one,
   * loading the same model when `reload` (a stalled load is retried by the caller, not here).
   * Nothing happens when `remote` is no longer the current worker.
   */
  private replaceWorker(remote: Comlink.Remote<WhisperWorkerApi>, reload: boolean): void {
    if (this.remote !== remote) return;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    for (const fail of [...this.pending]) {
      fail(new AppError('internal', 'Speech recognition was restarted while this job ran. Please try again.'));
    }
    this.spawn();
    this.ready = reload && this.loadOptions ? this.watchedLoad(this.loadOptions) : Promise.resolve();
    // A failed reload surfaces through the next transcribe(), not as an unhandled rejection.
    this.ready.catch(() => {});
  }
}

export interface SpeechJob {
  audio: Float32Array;
  options: TranscribeCallOptions;
}

/** A loaded Whisper client in the shape `ResilientEngine` manages (one per device it tries). */
export type WhisperEngine = DisposableGenerator<SpeechJob, WhisperTranscribeResult>;

export async function loadWhisperEngine(options: WhisperLoadOptions, onProgress?: (progress: WhisperLoadProgress) => void): Promise<WhisperEngine> {
  const client = new WhisperClient();
  try {
    await client.load(options, onProgress);
  } catch (error) {
    void client.dispose().catch(() => {});
    throw error;
  }
  return { generate: ({ audio, options: call }) => client.transcribe(audio, call), dispose: () => client.dispose() };
}
