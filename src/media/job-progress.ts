/** A job's progress callback is called at most this often: each call is a message to the page. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * A job's progress report for the client's stall watchdog (src/core/watchdog.ts), called on every
 * read of the file and every decoded frame or audio chunk, and passed on at most once a second.
 * The client's callback is a comlink proxy: a page that stopped listening is not an error here.
 */
export function progressReport(onProgress: (() => unknown) | undefined): () => void {
  if (!onProgress) return () => {};
  let last = -Infinity;
  return () => {
    const now = performance.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    void Promise.resolve(onProgress()).catch(() => {});
  };
}
