/** What the agent loop needs from the rest of the app: a model, tools and the video. */
import type { ExtractType, ToolName } from './protocol';

/**
 * A frame the agent refers to without touching pixels. Whoever owns the pixels (the frame store,
 * the VLM engine) resolves `id`; the agent only passes references along and shows `timestamp`.
 */
export interface FrameRef {
  readonly id: string;
  /** Seconds from the start of the video. */
  readonly timestamp: number;
}

/** A span of the video in seconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

export interface VideoContext<F extends FrameRef = FrameRef> {
  /** The name the model sees in the metadata line and uses as `video_path`. */
  name: string;
  durationSeconds: number;
  /** The low-resolution skim (F), in time order; see `skimFrameCount`. */
  skimFrames: readonly F[];
}

export interface GenerateRequest<F extends FrameRef = FrameRef> {
  prompt: string;
  /** Replaces the model's default system message (the release's prompts have their own). */
  system?: string;
  /** Stage 1 passes the skim frames, in time order (a video model sees them as one video); Stage 2 passes none. */
  images?: readonly F[];
  signal: AbortSignal;
  /** Called with each piece of text as it streams; the returned string is still the whole reply. */
  onToken?: (text: string) => void;
}

export interface ReasoningModel<F extends FrameRef = FrameRef> {
  /** Resolves with the full reply. Should reject with AppError 'cancelled' once `signal` aborts. */
  generate(request: GenerateRequest<F>): Promise<string>;
  /** The SAGE release's prompt pack this model was trained on, when its files carry one. */
  promptPack?(): Promise<unknown>;
}

/**
 * Arguments each tool receives after the agent has checked and repaired them.
 * Names follow the protocol; timestamps arrive as seconds, already clamped and within the window cap.
 */
export interface ToolArguments {
  verbal_transcript: { video_path: string; timestamp_start: number; timestamp_end: number };
  identify_timestamps_visually: {
    video_path: string;
    event: string;
    timestamp_start: number;
    timestamp_end: number;
  };
  extract_parts_from_timestamp: {
    video_path: string;
    timestamp_start: number;
    timestamp_end: number;
    extract_type: ExtractType;
  };
  perform_reasoning: { query: string; media_paths: string[] };
  unified_web_search: { query: string; search_type: 'web'; num_results: number };
  parse_web_data: { website_url: string; max_content_length: number };
}

export interface ToolRunContext {
  signal: AbortSignal;
  /** Video duration in seconds. */
  duration: number;
}

export interface ToolOutput {
  /** What the model reads as this tool's result. */
  text: string;
  /** Frames to show in the UI (e.g. the extracted frames); references only. */
  frames?: readonly FrameRef[];
  /** Spans of the video the result is about (transcript segments, a found event). */
  spans?: readonly TimeSpan[];
}

export interface ToolRunner<A> {
  /** May throw; the agent turns failures into error results the model can read. */
  run(args: A, context: ToolRunContext): Promise<ToolOutput>;
}

/** Tools that are available in this session. A missing web tool is not offered to the model. */
export type ToolRegistry = { [N in ToolName]?: ToolRunner<ToolArguments[N]> };
