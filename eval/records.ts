/**
 * What the eval page reports for one question, and the JSONL lines the harness writes:
 * `answers.jsonl` (one line per question run through the app) and `results.jsonl` (the same line
 * with its verdict). Line fields follow SAGE-Bench's names where it has one (`gt_answer`,
 * `ques_type`, ...), in snake_case like the release's result files.
 */
import type { AgentEvent } from '../src/agent/events';

/** One agent event as the page saw it, without its text; `t` is ms since the question was asked. */
export interface TimedEvent {
  t: number;
  type: Exclude<AgentEvent['type'], 'token'>;
  stage?: 1 | 2;
  step?: number;
  /** Tool name (tool events). */
  name?: string;
  label?: string;
  isError?: boolean;
}

export interface ToolCallRecord {
  step: number;
  name: string;
  label: string;
  arguments: Record<string, unknown>;
  /** The call gave an error result (bad arguments, unknown tool, failure). */
  error: boolean;
}

/** Model ids of a run; null where the app chose (the chooser's reasoner, the default Whisper). */
export interface ModelIds {
  /** The VLM's registry id, or the scripted orchestrator's name when one stands in for it. */
  orchestrator: string;
  /** The VLM the visual tools use (and the orchestrator, unless a scripted one stands in). */
  vlm: string;
  reasoner: string | null;
  speech: string | null;
}

export type Outcome = 'answer' | 'gave-up' | 'error';

/** What `window.sageEval.answer` resolves with. */
export interface PageAnswer {
  outcome: Outcome;
  prediction: string | null;
  /** The gave-up message or the error's message. */
  message: string | null;
  errorCode: string | null;
  singleTurn: boolean;
  steps: number;
  tools: ToolCallRecord[];
  /** From choosing the file to the app having read it. */
  openMs: number;
  events: TimedEvent[];
  /** The file's duration as the browser reads it. */
  durationSeconds: number | null;
  models: ModelIds;
}

export interface StageSeconds {
  /** Reading the file. */
  open: number;
  /** Waiting for the skim before Stage 1 could start. */
  skim: number;
  /** The Stage-1 model call (with the first question, the model's loading too). */
  stage1: number;
  /** Every Stage-2 model call together. */
  stage2: number;
  /** Time in tools, by tool name. */
  tools: Record<string, number>;
  /** From choosing the file to the run's last event. */
  total: number;
}

export interface AnswerLine {
  id: string;
  video_id: string;
  question: string;
  gt_answer: string;
  ques_type: string;
  difficulty: string | null;
  modality: string | null;
  /** Seconds: the question's own figure, else the file's. */
  duration: number | null;
  outcome: Outcome;
  prediction: string | null;
  message: string | null;
  error_code: string | null;
  single_turn: boolean;
  steps: number;
  tools: ToolCallRecord[];
  seconds: StageSeconds;
  models: ModelIds;
}

export type JudgedBy = 'option' | 'judge' | 'no-answer';

export interface ResultLine extends AnswerLine {
  correct: boolean;
  judged_by: JudgedBy;
  judge_reasoning: string;
  /** The judge's id, when the judge decided. */
  judge_model: string | null;
  judge_seconds: number;
  /** Why the judge gave no verdict (then `correct` is false), when it did not. */
  judge_error: string | null;
}
