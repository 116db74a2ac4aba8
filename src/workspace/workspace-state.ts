/**
 * The workspace's state and events: what the element renders and listens to. Plain types and the
 * pure helpers that derive one slice from another; the workspace itself replaces them.
 */
import type { AgentEvent } from '../agent/events';
import type { ReasoningModel, TimeSpan, TranscriptSegment } from '../core/contracts';
import type { AppError } from '../core/errors';
import type { MediaFile } from '../media/media-client';
import type { FileLoadProgress } from '../models/engines/load-progress';
import type { FrameStore, WebSearchProvider } from '../tools';
import type { StoredFrame } from '../tools/frame-store';
import type { TranscriptCache } from '../tools/transcript-cache';
import type { LoadState } from '../runtime/engine-contracts';
import type { ModelSettings } from './model-picks';

export type ErrorStage = 'open' | 'ask' | 'transcribe';

export interface WorkspaceError {
  error: AppError;
  /** What the person was doing when it failed. */
  during: ErrorStage;
}

/** One long job (a model download, the skim, a transcription); no total is a job of unknown length. */
export interface ProgressRow {
  /** Stable id of the job. */
  id: string;
  label: string;
  done?: number;
  total?: number;
  unit?: 'bytes' | 'seconds' | 'percent';
  /** A model download's files. */
  files?: readonly FileLoadProgress[];
}

export interface VideoState {
  /** Which open this is: a later open of the same file is another video. */
  readonly id: number;
  readonly name: string;
  /** What the player plays: an object URL the workspace revokes on close, or the host's URL. */
  readonly url: string;
  /** Null while the file is being read. */
  readonly file: MediaFile | null;
  /** Seconds; 0 until the file has been read. */
  readonly duration: number;
  /** Frames the tools extracted, which the steps show as thumbnails. */
  readonly frames: FrameStore;
}

export interface TranscriptState {
  segments: readonly TranscriptSegment[];
  /** Seconds of the video transcribed so far. */
  coveredSeconds: number;
  duration: number;
  /** A word on the transcript itself, e.g. that it cannot be kept after the page closes. */
  notice: string | null;
}

export interface ModelsState {
  /** The VLM in use: the host's pick, else the chooser's once known, else the registry default. */
  vlmId: string;
  vlm: LoadState;
  /** The speech model once a load has named it; null before. */
  speechId: string | null;
}

export interface WorkspaceState {
  readonly video: VideoState | null;
  /** The status line (read out to screen readers). */
  readonly status: string;
  /** The failure shown to the person, until the next open or question. */
  readonly alert: AppError | null;
  /** Whether a question about the open video can be asked at all. */
  readonly askable: boolean;
  /** A question is being answered (Stop ends it). */
  readonly asking: boolean;
  /** "Transcribe all" is running (pressing it again stops it). */
  readonly transcribing: boolean;
  readonly progress: readonly ProgressRow[];
  readonly transcript: TranscriptState;
  /** Where the last answer's evidence lies. */
  readonly evidence: readonly TimeSpan[];
  /** The open video's skim once taken, in time order (the timeline's thumbnails). */
  readonly skim: readonly StoredFrame[];
  readonly models: ModelsState;
}

/** A question the workspace has started answering; its steps follow as `step` events. */
export interface RunStart {
  question: string;
  duration: number;
  skimFrames: number;
  frames: FrameStore;
}

export interface WorkspaceEventMap {
  /** The state after a change, and the one before it. */
  change: { state: WorkspaceState; previous: WorkspaceState };
  'run-start': RunStart;
  /** Every agent event of the running question (its answer too). */
  step: AgentEvent;
  /** Something to add to the running question's steps that is not one of its events. */
  notice: string;
  /** A failure: those shown in `alert`, and a question's own failed end. */
  error: WorkspaceError;
}

/** What the host sets besides the model settings (the element's properties). */
export interface WorkspaceSettings extends ModelSettings {
  /** Enables `unified_web_search` and `parse_web_data` for videos opened from then on. */
  webSearch: WebSearchProvider | undefined;
  /** Where the app's `models/` folder is served from; undefined: next to the app's script. */
  modelBaseUrl: string | undefined;
  /** Replaces the VLM as orchestrator (both stages), read per call. */
  orchestrator: ReasoningModel | undefined;
  /** Questions are answered from the speech alone, without loading the vision model (the person's choice). */
  speechOnly: boolean;
}

export const EMPTY_TRANSCRIPT: TranscriptState = { segments: [], coveredSeconds: 0, duration: 0, notice: null };

/** The transcript slice for what `cache` holds of a video `duration` seconds long. */
export function transcriptState(cache: TranscriptCache, duration: number, notice: string | null): TranscriptState {
  return {
    segments: cache.lookup({ start: 0, end: duration + 1 }),
    coveredSeconds: cache.coveredSpans().reduce((sum, span) => sum + span.end - span.start, 0),
    duration,
    notice,
  };
}

/** `rows` with `row` added, or put in place of the row with its id. */
export function withProgressRow(rows: readonly ProgressRow[], row: ProgressRow): readonly ProgressRow[] {
  const at = rows.findIndex((existing) => existing.id === row.id);
  return at < 0 ? [...rows, row] : rows.map((existing, index) => (index === at ? row : existing));
}

/** The state before any video opens, with `vlmId` the VLM in use. */
export function initialState(vlmId: string): WorkspaceState {
  return {
    video: null,
    status: '',
    alert: null,
    askable: false,
    asking: false,
    transcribing: false,
    progress: [],
    transcript: EMPTY_TRANSCRIPT,
    evidence: [],
    skim: [],
    models: { vlmId, vlm: { state: 'idle' }, speechId: null },
  };
}

/** The workspace's listeners, by event. */
export class WorkspaceListeners {
  private readonly sets: { [K in keyof WorkspaceEventMap]: Set<(value: WorkspaceEventMap[K]) => void> } = {
    change: new Set(),
    'run-start': new Set(),
    step: new Set(),
    notice: new Set(),
    error: new Set(),
  };

  /** Calls `listener` on every `type` event; returns the function that stops it. */
  add<K extends keyof WorkspaceEventMap>(type: K, listener: (value: WorkspaceEventMap[K]) => void): () => void {
    const set = this.sets[type] as Set<(value: WorkspaceEventMap[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  call<K extends keyof WorkspaceEventMap>(type: K, value: WorkspaceEventMap[K]): void {
    for (const listener of this.sets[type] as Set<(value: WorkspaceEventMap[K]) => void>) listener(value);
  }
}
