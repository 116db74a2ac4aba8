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

/** What the media worker was doing for the page when it stopped. */
export type MediaJob = 'open' | 'skim' | 'frames' | 'frame' | 'audio' | 'playback';

/** What it was doing, and how the person tries again (a skim runs once per open; a question or seek can be repeated). */
const MEDIA_JOB_WORDS: Record<MediaJob, { doing: string; retry: string }> = {
  open: { doing: 'opening it', retry: 'Open the file again to retry.' },
  skim: { doing: 'skimming it', retry: 'Open the file again to retry.' },
  frames: { doing: 'taking frames from it', retry: 'Try again.' },
  frame: { doing: 'showing a frame of it', retry: 'Try again.' },
  audio: { doing: 'decoding its sound', retry: 'Try again.' },
  playback: { doing: 'playing it', retry: 'Press play to retry.' },
};

/**
 * A media-worker job that got nothing from the file or its decoder for `idleSeconds`
 * (watchdog.ts) and was ended with its worker. Most often the file sits on a drive or an
 * online-only folder that stopped answering; the retry reads it afresh on a new worker.
 */
export function mediaStallError(idleSeconds: number, job: MediaJob, name?: string): AppError {
  const { doing, retry } = MEDIA_JOB_WORDS[job];
  return new AppError(
    'stalled',
    `Reading ${name ? `“${name}”` : 'this file'} stopped while ${doing}: nothing came from the file for ${idleSeconds} s, so the reading was ended. ${retry} If it stops again, the file may be on a drive or online folder that is not answering: copy it to this device and open the copy.`,
    { detail: `media worker job '${job}': no read or decoded data for ${idleSeconds} s` },
  );
}

/** What a job on the media worker fails with when another job's stall ended that worker. */
export function mediaRestartedError(): AppError {
  return new AppError('stalled', 'Reading the video was restarted because a read of it stopped answering. Try again.');
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
