/**
 * Model failures as the user should hear about them, decided here and only here: the workers
 * (VLM, Whisper) and the main-thread clients (web-llm, the resilient engine, the page's engines)
 * all pass what they caught to `loadFailure` or `generateFailure`. WebGPU, ONNX Runtime,
 * transformers.js, web-llm and the browser's storage report the same few failures in many wordings
 * (and web-llm's worker and comlink pass errors on as name and message only), so they are
 * recognised by what they say. An AppError is already classified and passes through unchanged.
 */
import { AppError, describeError, isAppError } from '../../core/errors';
import type { ModelDevice } from '../registry';

const GPU_LOST = /device (was )?lost|devicelost|gpu device.*(lost|destroyed)|context lost|instance dropped/i;
/** ONNX Runtime's WASM build reports a failed C++ allocation as `std::bad_alloc` ("failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc"). */
const OUT_OF_MEMORY = /out of memory|\boom\b|failed to allocate|allocation failed|memory access out of bounds|array buffer allocation failed|createbuffer.*(size|too large)|exceeds the max|bad_alloc/i;
const QUOTA = /quotaexceeded|quota (has been )?exceeded|quota_exceeded|not enough (storage|space)/i;
/** The connection failed or a body stopped early (Chromium: "Failed to fetch", "network error"; Safari: "Load failed"; undici: "terminated"). */
const NETWORK = /failed to fetch|networkerror|network error|err_network|err_internet|connection (was )?(reset|closed|lost)|^typeerror: load failed|body stream|aborted.*download|unexpected end|terminated/i;
/** A server answered 5xx or timed out: transformers.js' wording for the Hub, `failOnServerErrors`' for this site. */
/** The server answered 401 or 403: transformers.js' wording for the Hub, web-llm's and fetch's status text. */
const REFUSED = /unauthorized access to file|forbidden access to file|\b(http|status|error) ?\(?(401|403)\b|\b40[13] (unauthorized|forbidden)/i;
const SERVER_ERROR = /internal server error|bad gateway|service unavailable|gateway timeout|request timeout|error \(5\d\d\) occurred|server error \(http 5\d\d\)/i;

export interface FailureContext {
  /** The model as people know it, e.g. "Qwen2.5-VL 3B Instruct". */
  label: string;
  /** A smaller model of the same role, suggested when this one does not fit. */
  smallerLabel?: string;
  /** Which files on which device and dtype (model id, source): the start of `detail`. */
  where?: string;
  /** Where the files come from, for the message: the Hugging Face Hub or the site serving the app. */
  from?: 'hub' | 'site';
  /**
   * Bytes of model files received before the failure, when the loader counted them: none means the
   * host was never reached, some means the download was cut. Unknown: a network failure is a cut download.
   */
  receivedBytes?: number;
  /** Whether the browser says it is online (`navigator.onLine`); read from the global when not given. */
  online?: boolean;
  /**
   * Where the model runs. On WASM, running out of memory means WebAssembly's 4 GB (its 32-bit
   * address space, one per worker), not the device's memory: closing tabs does not help.
   */
  device?: ModelDevice;
}

/**
 * The WASM limit as the person should hear it: 4 GB whatever the machine has, and what is not held
 * to it. A GPU is named only as free of this limit, not as running the model: whether one does
 * depends on its own memory and buffer limits (docs/performance.md, "In the browser at full size").
 */
const WASM_LIMIT =
  "WebAssembly gives the CPU engine at most 4 GB in a browser tab, however much memory this device has, so closing tabs will not help. A browser with WebGPU (Chrome or Edge) runs the model in the GPU's memory instead, outside that limit.";

export function isGpuLost(error: unknown): boolean {
  return isAppError(error) ? error.code === 'gpu-lost' : GPU_LOST.test(describeError(error));
}

/**
 * Turns a failure while loading a model into an AppError: storage full, out of memory (with the
 * smaller model to try, when there is one), GPU lost, download cut off or refused by the server,
 * or a plain load failure (a missing or broken file, an unsupported operator).
 */
export function loadFailure(error: unknown, context: FailureContext): AppError {
  if (isAppError(error)) return error;
  const { label, smallerLabel, where } = context;
  const cause = describeError(error);
  const init = { detail: where ? `${where}: ${cause}` : cause, cause: error };
  if (QUOTA.test(cause)) {
    return new AppError(
      'quota-exceeded',
      `There is not enough storage space in this browser to keep ${label}. Delete cached models you no longer use (Models panel) or free disk space, then try again.`,
      init,
    );
  }
  if (OUT_OF_MEMORY.test(cause)) {
    if (context.device === 'wasm') {
      const smaller = smallerLabel ? ` The smaller ${smallerLabel} may fit.` : '';
      return new AppError('out-of-memory', `${label} did not fit in the CPU engine's memory. ${WASM_LIMIT}${smaller}`, init);
    }
    const suggestion = smallerLabel ? ` Try the smaller ${smallerLabel} instead.` : ' Close other tabs and try again.';
    return new AppError('out-of-memory', `${label} did not fit in this device's memory.${suggestion}`, init);
  }
  if (GPU_LOST.test(cause)) {
    return new AppError('gpu-lost', `The graphics card stopped responding while loading ${label}. Reload the model to try again.`, init);
  }
  if (REFUSED.test(cause)) {
    return new AppError(
      'download-refused',
      `${hostOf(context)} refused to send ${label}'s files: the model may be gated, private or moved. Choose another model in Models and device, or ask from the speech only.`,
      init,
    );
  }
  if (NETWORK.test(cause)) {
    const online = context.online ?? globalThis.navigator?.onLine;
    // The browser knows it has no network: nothing was interrupted, the download never began.
    if (online === false) {
      return new AppError(
        'offline',
        `${label} is not stored in this browser, and this page is offline, so it cannot reach ${hostOf(context, 'lower')}. Connect to the internet, then try again.`,
        init,
      );
    }
    if (context.receivedBytes === 0) {
      return new AppError(
        'offline',
        `This page cannot reach ${hostOf(context, 'lower')} to download ${label}: the connection failed before any file arrived. Check the connection (or a blocker of that site), then try again.`,
        init,
      );
    }
    return new AppError(
      'download-failed',
      `The download of ${label} was interrupted. Check the connection and try again; files already downloaded are kept.`,
      init,
    );
  }
  if (SERVER_ERROR.test(cause)) {
    return new AppError(
      'download-failed',
      `The server holding ${label}'s files failed to send them. Try again later; files already downloaded are kept.`,
      init,
    );
  }
  return new AppError('model-load-failed', `${label} could not be loaded.`, init);
}

/** The files' host as a message names it. */
function hostOf(context: FailureContext, letter: 'upper' | 'lower' = 'upper'): string {
  const name = context.from === 'hub' ? 'the Hub' : context.from === 'site' ? 'the site serving this app' : "the server holding the model's files";
  return letter === 'upper' ? name.charAt(0).toUpperCase() + name.slice(1) : name;
}

/** A failure while a loaded model runs: the GPU lost, memory exhausted, or anything else (internal). */
export function generateFailure(error: unknown, context: Omit<FailureContext, 'smallerLabel'>): AppError {
  if (isAppError(error)) return error;
  const { label, where } = context;
  const cause = describeError(error);
  const init = { detail: where ? `${where}: ${cause}` : cause, cause: error };
  if (GPU_LOST.test(cause)) return new AppError('gpu-lost', `The graphics card stopped responding while ${label} was running.`, init);
  if (OUT_OF_MEMORY.test(cause) && context.device === 'wasm') {
    // The prompt's attention and cache grow with its length: the load fitted, this prompt did not.
    return new AppError('out-of-memory', `${label} ran out of memory on this prompt. ${WASM_LIMIT}`, init);
  }
  if (OUT_OF_MEMORY.test(cause)) return new AppError('out-of-memory', `${label} ran out of memory. Close other tabs and try again.`, init);
  return new AppError('internal', `${label} failed while running. Please try again.`, init);
}

export interface StallContext {
  /** The model as people know it, e.g. "Whisper base". */
  label: string;
  /** What was being done: loading the model, or running it (a transcription, a generation). */
  phase: 'load' | 'run';
  /** The last progress seen, for the detail, e.g. "76 MB of 76 MB". */
  lastProgress?: string;
  where?: string;
}

/**
 * A load or job that made no progress for `idleSeconds` (watchdog.ts) and was ended. Said as what
 * it is, never as a download or file problem: nothing failed, the browser stopped doing the work.
 */
export function stallFailure(idleSeconds: number, context: StallContext): AppError {
  const { label, phase, lastProgress, where } = context;
  const facts = [`no progress for ${idleSeconds} s`, lastProgress ? `last: ${lastProgress}` : '', where ?? ''].filter(Boolean).join('; ');
  const message =
    phase === 'load'
      ? `${label} stopped loading in this browser: nothing happened for ${idleSeconds} s, so the load was ended. Try again; files already downloaded are kept. If it stops again, reload the page.`
      : `${label} stopped working in this browser: nothing happened for ${idleSeconds} s, so the job was ended. Try again; if it stops again, reload the page.`;
  return new AppError('stalled', message, { detail: facts });
}

/**
 * `fetch` whose 5xx answers fail when their body is read, with the status in the error.
 * transformers.js reads any answer but 404 from a model folder on this site as the file itself
 * (and counts a rejected fetch there as a missing file), so an error page would otherwise be
 * parsed as a model and the failure reported as a broken file.
 */
export function failOnServerErrors(fetchFn: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchFn(input, init);
    if (response.status < 500) return response;
    await response.body?.cancel().catch(() => {});
    const url = input instanceof Request ? input.url : String(input);
    const failure = new Error(`Server error (HTTP ${response.status}) for ${url}`);
    const body = new ReadableStream({ start: (controller) => controller.error(failure) });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
