/**
 * Engine failures as the user should hear about them. WebGPU, ONNX Runtime, web-llm and the
 * browser's storage report the same few failures in many wordings (and web-llm's worker passes
 * errors on as text), so they are recognised by what they say.
 */
import { AppError, describeError, isAppError } from '../../errors';

const GPU_LOST = /device (was )?lost|devicelost|gpu device.*(lost|destroyed)|context lost|instance dropped/i;
const OUT_OF_MEMORY = /out of memory|\boom\b|failed to allocate|allocation failed|memory access out of bounds|array buffer allocation failed|createbuffer.*(size|too large)|exceeds the max/i;
const QUOTA = /quotaexceeded|quota (has been )?exceeded|quota_exceeded|not enough (storage|space)/i;
const NETWORK = /failed to fetch|networkerror|network error|err_network|err_internet|connection (was )?(reset|closed|lost)|load failed|body stream|aborted.*download|unexpected end|terminated/i;

export function isGpuLost(error: unknown): boolean {
  return isAppError(error) ? error.code === 'gpu-lost' : GPU_LOST.test(describeError(error));
}

/**
 * Turns a failure while loading `label` into an AppError: out of memory (with the smaller model to
 * try, when there is one), storage full, download cut off, GPU lost, or a plain load failure.
 */
export function loadFailure(error: unknown, label: string, smallerLabel?: string): AppError {
  if (isAppError(error)) return error;
  const detail = describeError(error);
  const init = { detail, cause: error };
  if (QUOTA.test(detail) || (error instanceof DOMException && error.name === 'QuotaExceededError')) {
    return new AppError(
      'quota-exceeded',
      `There is not enough storage space in this browser to keep ${label}. Delete cached models you no longer use (Models panel) or free disk space, then try again.`,
      init,
    );
  }
  if (OUT_OF_MEMORY.test(detail)) {
    const suggestion = smallerLabel ? ` Try the smaller ${smallerLabel} instead.` : ' Close other tabs and try again.';
    return new AppError('out-of-memory', `${label} did not fit in this device's memory.${suggestion}`, init);
  }
  if (GPU_LOST.test(detail)) {
    return new AppError('gpu-lost', `The graphics card stopped responding while loading ${label}. Reload the model to try again.`, init);
  }
  if (NETWORK.test(detail)) {
    return new AppError(
      'download-failed',
      `The download of ${label} was interrupted. Check the connection and try again; files already downloaded are kept.`,
      init,
    );
  }
  return new AppError('model-load-failed', `${label} could not be loaded.`, init);
}

/** A failure while generating: the GPU lost, memory exhausted, or anything else (internal). */
export function generateFailure(error: unknown, label: string): AppError {
  if (isAppError(error)) return error;
  const detail = describeError(error);
  const init = { detail, cause: error };
  if (GPU_LOST.test(detail)) return new AppError('gpu-lost', `The graphics card stopped responding while ${label} was answering.`, init);
  if (OUT_OF_MEMORY.test(detail)) return new AppError('out-of-memory', `${label} ran out of memory while answering.`, init);
  return new AppError('internal', `${label} failed while answering. Please try again.`, init);
}
