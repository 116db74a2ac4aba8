/**
 * Errors the app shows to people. Every failure that can reach the UI is an `AppError` with a
 * machine-readable `code` (for tests and branching) and a `message` written for the user.
 */
export type ErrorCode =
  /** The file is not audio or video this app can read (text, an image, random bytes). */
  | 'not-media'
  /** The file has no bytes. */
  | 'empty-file'
  /** The file ends early or its data is damaged. */
  | 'truncated'
  /** The container is fine but this browser has no decoder for the codec. */
  | 'unsupported-codec'
  /** Frames were asked for but the file has no video track. */
  | 'no-video'
  /** Audio was asked for but the file has no audio track. */
  | 'no-audio'
  /** The decoder failed on data that looked valid. */
  | 'decode-failed'
  /** A caller passed arguments outside what the operation accepts. */
  | 'invalid-argument'
  /** The job was cancelled by the caller. */
  | 'cancelled'
  /** A call on something after its `dispose()`. */
  | 'disposed'
  /** A model's files could not be fetched or initialised. */
  | 'model-load-failed'
  /** The GPU device was lost while a model was running. */
  | 'gpu-lost'
  /** The model did not fit in the memory available. */
  | 'out-of-memory'
  /** A model file download stopped before the end (network lost, server error); it can be resumed. */
  | 'download-failed'
  /** A model's files cannot be reached at all: the page is offline, or no connection to their host could be made. */
  | 'offline'
  /** The server holding a model's files refused them (HTTP 401/403: gated, private or moved). */
  | 'download-refused'
  /** No model of a role can run on this device (no tier fits its memory or features). */
  | 'device-unsupported'
  /** The browser's storage for this site is full, so a model cannot be kept. */
  | 'quota-exceeded'
  /** The browser will not let the page store data (private browsing, site data blocked). */
  | 'storage-unavailable'
  /** A model load or a worker job made no progress for a bounded time and was ended; it can be retried. */
  | 'stalled'
  /** Anything else: a bug, reported with the original cause attached. */
  | 'internal';

export interface AppErrorInit {
  /** Technical detail for logs and bug reports; not shown as the headline. */
  detail?: string;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, init: AppErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.detail = init.detail;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

export function isCancelled(value: unknown): boolean {
  return value instanceof AppError && value.code === 'cancelled';
}

/** What a disposed object answers every later call with. */
export function disposedError(what: string): AppError {
  return new AppError('disposed', `${what} has been closed; open it again to go on.`);
}

export function cancelledError(): AppError {
  return new AppError('cancelled', 'Stopped before it finished.');
}

/** Wraps an unknown thrown value so callers always get an `AppError`. */
export function toAppError(value: unknown, code: ErrorCode = 'internal', message?: string): AppError {
  if (value instanceof AppError) return value;
  const detail = describeError(value);
  return new AppError(code, message ?? 'Something went wrong. Please try again.', { detail, cause: value });
}

/** A thrown value as text for an `AppError`'s `detail`: `Name: message` for an Error. */
export function describeError(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}
