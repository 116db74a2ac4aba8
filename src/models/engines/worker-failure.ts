/**
 * A model worker whose script cannot be fetched (offline with the script never cached, or a broken
 * deployment) fires a plain `error` event and never answers, so a call through comlink would wait
 * forever. This turns that event into a rejection, worded as the failed fetch it is, for the
 * worker's load to race with; engine-errors.ts then tells offline from other failures. An error
 * thrown inside a running worker arrives as an ErrorEvent and is left to the call that caused it.
 */
export function workerFailure(worker: Worker): Promise<never> {
  const failed = new Promise<never>((_, reject) => {
    const onError = (event: Event): void => {
      if (event instanceof ErrorEvent) return;
      worker.removeEventListener('error', onError);
      reject(new TypeError("Failed to fetch the model worker's script"));
    };
    worker.addEventListener('error', onError);
  });
  // Nobody may be waiting when it fails; the load that races with it reports it.
  failed.catch(() => {});
  return failed;
}
