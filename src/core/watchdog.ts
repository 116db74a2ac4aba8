/**
 * Progress-based watchdogs for model loads and worker jobs. A load or a job is given an `advance`
 * callback that its progress reports call (bytes downloaded, runtime started, a frame of VAD, a
 * token, bytes read from a video file, a decoded frame); if nothing advances for the bounded time,
 * the watched promise rejects with a 'stalled' AppError (worded by engine-errors.ts for models,
 * errors.ts for the media worker) and `onStall` lets the client end the stuck worker, so the page
 * stays usable and a retry starts afresh. A stall must never look like work in progress.
 */
import type { AppError } from './errors';

/**
 * Seconds without any progress before a load or job counts as stalled. Generous: a progress-less
 * step (ONNX Runtime compiling its WASM and building sessions, a WASM prefill of many frames)
 * takes seconds on a busy machine, while the stalls seen in the field lasted for minutes.
 * Tests lower them through `setStallLimits`.
 */
export interface StallLimits {
  /** ONNX Runtime's start in a worker (compiling its WASM, starting its threads, a tiny session): seconds normally. */
  startSeconds: number;
  /** A Whisper or VLM load: between download progress reports, and for the runtime's start-up after them. */
  loadSeconds: number;
  /** A Whisper job: between frames of VAD and tokens of Whisper (a 30 s window's encoder is the longest step). */
  speechJobSeconds: number;
  /**
   * A VLM generation: between tokens, vision calls and prompt parts. On WASM a model's measured
   * time per answer raises it (vlm-client.ts `generationIdleSeconds`): a Hub graph's Stage-1
   * prefill is one step.
   */
  vlmJobSeconds: number;
  /**
   * A media-worker job (open, skim, frames, audio, a playback read): between reads of the file and
   * decoded frames or audio. Each read is milliseconds from a local disk; a file on a dropped
   * network share or a cloud placeholder is what stops answering.
   */
  mediaJobSeconds: number;
}

const DEFAULT_LIMITS: StallLimits = { startSeconds: 45, loadSeconds: 120, speechJobSeconds: 120, vlmJobSeconds: 600, mediaJobSeconds: 60 };
const limits: StallLimits = { ...DEFAULT_LIMITS };

export function stallLimits(): Readonly<StallLimits> {
  return limits;
}

/** Changes the limits for this page (tests inject stalls and wait seconds, not minutes); no argument restores the defaults. */
export function setStallLimits(changes?: Partial<StallLimits>): void {
  Object.assign(limits, changes ?? DEFAULT_LIMITS);
}

export interface WatchOptions {
  /** Seconds without progress after which the work counts as stalled. */
  idleSeconds: number;
  /** The error to reject with, made when the stall is noticed. */
  stalled: (idleSeconds: number) => AppError;
  /** Called once on a stall, before the rejection: end the stuck worker here. */
  onStall?: () => void;
}

/**
 * Runs `work`, which calls `advance()` whenever it makes progress, and settles like it, unless
 * nothing advances for `idleSeconds`: then it rejects with `stalled` (the work is abandoned).
 */
export function watchProgress<T>(options: WatchOptions, work: (advance: () => void) => Promise<T>): Promise<T> {
  const { idleSeconds, stalled, onStall } = options;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        onStall?.();
        reject(stalled(idleSeconds));
      }, idleSeconds * 1000);
    };
    const advance = (): void => {
      if (!settled) arm();
    };
    arm();
    // Starts `work` now; a synchronous throw in it rejects like an asynchronous one.
    const running = (async () => work(advance))();
    // Resolving with the work's own promise settles the same way it did, value or reason.
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(running);
    };
    running.then(settle, settle);
  });
}
