/**
 * The contracts between layers: what the agent loop needs (a model, tools, the video), what the
 * tools need from the models (a VLM that answers prompts, a speech recogniser), and the plain data
 * they pass. Types only, so every layer may import it.
 */
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
  /** The low-resolution skim (F), in time order; see `stage1VideoPlan`. */
  skimFrames: readonly F[];
}

/**
 * A step of a model call before its first token, on a model that reports them: a vision-encoder
 * call (`done` of `total` calls) or a part of a long prompt through the decoder (`done` of `total`
 * prompt tokens). On a CPU these take minutes for a whole skim.
 */
export interface ModelWorkProgress {
  phase: 'vision' | 'prefill';
  done: number;
  total: number;
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
  /** Called at each step before the first token (ModelWorkProgress). */
  onWork?: (progress: ModelWorkProgress) => void;
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

/** A frame or picture for the model: decoded (ImageBitmap) or encoded (PNG/JPEG/WebP Blob). */
export type VlmImage = ImageBitmap | Blob;

/** Frames given to the model as one video, in time order (Stage 1's skim). */
/** Width and height of a picture or video, in pixels. */
export interface PixelSize {
  readonly width: number;
  readonly height: number;
}

export interface VlmVideo {
  frames: readonly VlmImage[];
  /** Seconds each temporal patch (two frames) spans in the model's rotary time (Qwen2.5-VL). */
  secondsPerGrid: number;
  /** Each frame's time in the video, in seconds: Qwen3-VL writes them into the prompt. */
  frameTimes?: readonly number[];
  /**
   * The display size of the video the frames were cut from. Given, the frames are resized to the
   * size the SAGE release computes from it for the model's family; absent, they are used as they are.
   */
  sourceSize?: PixelSize;
}

export interface VlmGenerateRequest {
  /** The user turn's text. Images, if any, come before it in the same turn. */
  prompt: string;
  /** Replaces the chat template's default system prompt. */
  system?: string;
  /** In the order the model should see them. */
  images?: readonly VlmImage[];
  /** A video before the text, instead of images; a model without video input gets its frames as images. */
  video?: VlmVideo;
  /** Default 512. */
  maxNewTokens?: number;
  /** Aborting rejects with a 'cancelled' AppError; generation stops after the current token. */
  signal?: AbortSignal;
  /** Each new piece of reply text, as soon as it decodes; the resolved string is still the whole reply. */
  onToken?: (text: string) => void;
  /** Each vision call and each part of a long prompt, before the first token. */
  onWork?: (progress: ModelWorkProgress) => void;
}

/** The part of the engine that answers prompts: all the agent and its visual tools use (tests pass fakes). */
export type VlmGenerator = {
  generate(request: VlmGenerateRequest): Promise<string>;
  /** The SAGE release's prompt pack of the loaded model, if its folder has one (loads the model). */
  promptPack?(): Promise<unknown>;
};


/** One stretch of recognised speech, with absolute times in the video. */
export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
}

export interface SpeechRequest {
  /** Absolute time of the first sample: segment times are offset by it. */
  offsetSeconds: number;
  /** Spoken language ('en', 'english', ...); detected when left out. */
  language?: string;
  signal?: AbortSignal;
}

/** What the speech tool needs from a speech recogniser (the Whisper client, or a fake in tests). */
export interface SpeechTranscriber {
  /** 16 kHz mono audio → segments with absolute times. */
  transcribe(audio: Float32Array, options: SpeechRequest): Promise<{ segments: TranscriptSegment[]; whisperSeconds: number }>;
}

/** A prompt for a text-only model (the small text tier, or any generator that takes text). */
export interface TextGenerateRequest {
  prompt: string;
  system?: string;
  /** Default: the engine's own. */
  maxNewTokens?: number;
  signal?: AbortSignal;
  onToken?: (text: string) => void;
}

/** A text model that writes free text (not held to a schema): answers from transcript passages. */
export interface TextGenerator {
  generate(request: TextGenerateRequest): Promise<string>;
}
