/**
 * An open video's own resources beside its state (file, session, transcript cache, what ends its
 * work), how its transcript is kept in the browser's storage, and how it is closed.
 */
import type { AgentSession } from '../agent/session';
import { AppError } from '../core/errors';
import type { MediaFile } from '../media/media-client';
import { mediaUses, type MediaUses } from '../media/media-uses';
import { TranscriptCache } from '../tools/transcript-cache';
import { keepTranscript, type TranscriptKeyParts, type TranscriptStorage } from '../tools/transcript-store';
import type { VideoState } from './workspace-state';

export interface OpenVideo {
  state: VideoState & { file: MediaFile };
  blob: Blob;
  ownsUrl: boolean;
  uses: MediaUses;
  transcriptCache: TranscriptCache;
  session: Promise<AgentSession>;
  /** Ends the skim, transcriptions and transcript keeping of this video. */
  abort: AbortController;
  /** Ends the keeping of the transcript under the current speech model's key. */
  keeping: AbortController | null;
}

/** A video whose file has been read; `openSession` starts its session, which `abort` ends. */
export function openVideo(
  state: OpenVideo['state'],
  blob: Blob,
  ownsUrl: boolean,
  openSession: (video: Pick<OpenVideo, 'state' | 'transcriptCache'> & { signal: AbortSignal }) => Promise<AgentSession>,
): OpenVideo {
  const transcriptCache = new TranscriptCache();
  const abort = new AbortController();
  const session = openSession({ state, transcriptCache, signal: abort.signal });
  return { state, blob, ownsUrl, uses: mediaUses(state.file.probe), transcriptCache, session, abort, keeping: null };
}

/** What the video's transcript is kept under with `speechModel`, besides the file's own identity. */
export function transcriptParts(video: OpenVideo, speechModel: string): TranscriptKeyParts {
  return { name: video.state.name, model: speechModel, language: undefined };
}

export interface KeepOptions {
  store: TranscriptStorage;
  speechModel: string;
  /** The transcript cannot be kept (e.g. no storage); says why. */
  onUnavailable: (error: AppError) => void;
  /** What was kept before has been restored into the cache. */
  onRestored: () => void;
}

/**
 * Restores what was transcribed of this file with the speech model before (e.g. before a reload),
 * and keeps new spans, until the video closes or its keeping starts again.
 */
export function keepVideoTranscript(video: OpenVideo, { store, speechModel, onUnavailable, onRestored }: KeepOptions): void {
  video.keeping?.abort();
  const keeping = new AbortController();
  video.keeping = keeping;
  void keepTranscript(video.transcriptCache, {
    ...transcriptParts(video, speechModel),
    store,
    file: video.blob,
    signal: AbortSignal.any([keeping.signal, video.abort.signal]),
    onUnavailable,
  }).then(() => {
    if (!keeping.signal.aborted) onRestored();
  });
}

/** Ends the video's work and frees it; `release` (whatever reads the file) stops before the file closes. */
export function closeOpenVideo(video: OpenVideo, release: Promise<void>): void {
  video.abort.abort();
  video.session.then((session) => session.dispose(), () => {});
  video.state.frames.clear();
  if (video.ownsUrl) URL.revokeObjectURL(video.state.url);
  void release
    .catch(() => {})
    .then(() => video.state.file.dispose())
    .catch(() => {});
}

/** The name a video fetched from `src` is shown under. */
export function videoNameAt(src: string, baseUrl: string): string {
  return decodeURIComponent(new URL(src, baseUrl).pathname.split('/').pop() || 'video');
}

/** Fetches a video (same-origin or CORS); a failure is a `not-media` error that says which URL. */
export async function fetchVideo(src: string): Promise<Blob> {
  try {
    const response = await fetch(src);
    if (!response.ok) throw new AppError('not-media', `The video at ${src} could not be fetched (${response.status}).`);
    return await response.blob();
  } catch (error) {
    throw error instanceof AppError ? error : new AppError('not-media', `The video at ${src} could not be fetched.`, { cause: error });
  }
}
