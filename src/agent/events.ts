/** The events a run emits, in order; the UI and tests consume them. The last event is terminal. */
import type { AppError } from '../core/errors';
import type { FrameRef, ModelWorkProgress, TimeSpan } from '../core/contracts';

/** Stage 1 is step 0; Stage-2 calls are steps 1 to 10. */
export type Step = number;

export interface StageStartedEvent {
  type: 'stage-started';
  stage: 1 | 2;
  step: Step;
}

export interface TokenEvent {
  type: 'token';
  stage: 1 | 2;
  step: Step;
  text: string;
}

/** A model call's step before its first token (a vision call, a part of a long prompt). */
export interface WorkEvent extends ModelWorkProgress {
  type: 'work';
  stage: 1 | 2;
  step: Step;
}

export interface ToolCalledEvent {
  type: 'tool-called';
  step: Step;
  /** As the model wrote it (lower-cased); may name no real tool. */
  name: string;
  /** `<tool>_#k`: the k-th call of this tool in the run, counting from 1. */
  label: string;
  /** Repaired arguments in protocol form when they were valid; as the model wrote them otherwise. */
  arguments: Record<string, unknown>;
  /** What the argument check changed (swapped or clamped times, defaults filled in). */
  repairs: string[];
}

export interface ToolResultEvent {
  type: 'tool-result';
  step: Step;
  /** A tool name, or 'system_note' for the loop's own messages (unusable reply, no tool call). */
  name: string;
  label: string;
  /** The text the model reads in later steps. */
  output: string;
  /** True when nothing useful came back: bad arguments, unknown tool, tool failure, unusable reply. */
  isError: boolean;
  frames: readonly FrameRef[];
  spans: readonly TimeSpan[];
}

/** One successful tool result an answer may rest on. */
export interface EvidenceItem {
  label: string;
  name: string;
  arguments: Record<string, unknown>;
  output: string;
  frames: readonly FrameRef[];
  /** The tool's own spans when it gave any, else the window it looked at. */
  spans: readonly TimeSpan[];
}

export interface AnswerEvent {
  type: 'answer';
  answer: string;
  /** Stage 1 answered from the skim alone. */
  singleTurn: boolean;
  /** Stage-2 calls made (0 for a single-turn answer). */
  steps: number;
  /** The model's own account of why it can answer (Stage 2), or its reading of the question (Stage 1). */
  reasoning: string;
  evidence: EvidenceItem[];
  /** Every span in `evidence`, in the order the tools ran. */
  spans: TimeSpan[];
  /** Set when the answer rests on the speech alone because no vision model could be used. */
  speechOnly?: SpeechOnlyBasis;
}

/** What an answer from the speech alone rests on, for the page to say (and offer vision again). */
export interface SpeechOnlyBasis {
  /** Why the frames were not looked at, as a clause: "the vision model (…) is not stored and the page is offline". */
  reason: string;
  /** The parts of the video whose speech was searched, merged and in order. */
  searched: TimeSpan[];
  /** Whether `searched` is the whole video. */
  complete: boolean;
  /** The text model that wrote the answer from the passages; null when the answer is the passages themselves. */
  writer: string | null;
}

export interface AttemptedCall {
  step: Step;
  name: string;
  label: string;
  arguments: Record<string, unknown>;
  isError: boolean;
}

export interface GaveUpEvent {
  type: 'gave-up';
  /** Says plainly that no answer was produced; the UI shows it as is. */
  message: string;
  steps: number;
  tried: AttemptedCall[];
}

export interface ErrorEvent {
  type: 'error';
  /** Code 'cancelled' when the run was cancelled; otherwise why the run could not go on. */
  error: AppError;
}

export type AgentEvent =
  | StageStartedEvent
  | TokenEvent
  | WorkEvent
  | ToolCalledEvent
  | ToolResultEvent
  | AnswerEvent
  | GaveUpEvent
  | ErrorEvent;
