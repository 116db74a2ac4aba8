/** Cancellation helpers: work ends promptly on abort even when a model, tool or worker ignores its signal. */
import { cancelledError } from './errors';

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledError();
}

/** Settles like `work`, or rejects with a 'cancelled' AppError as soon as `signal` aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The abandoned work may still reject later; nobody is listening for it any more.
    work.catch(() => undefined);
    return Promise.reject(cancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Runs `work`, calling `cancel` once if `signal` aborts while it runs: the one way a client tells
 * its worker to stop a job. Rejects with 'cancelled', without starting `work`, when `signal` has
 * already aborted. `work` decides how soon it settles after the abort (see `untilAborted`).
 */
export async function cancelOnAbort<T>(signal: AbortSignal | undefined, cancel: () => void, work: () => Promise<T>): Promise<T> {
  if (!signal) return work();
  throwIfAborted(signal);
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await work();
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
