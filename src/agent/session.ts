/**
 * One opened video and the questions asked about it. The skim is taken once and reused by every
 * question; the Stage-1 description of the video is kept and handed to follow-up questions.
 */
import type { Frame, ProbeResult, SkimMode, SkimOptions } from '../media/types';
import type { GenerateRequest, ReasoningModel, ToolRegistry, VideoContext, VlmGenerator } from '../core/contracts';
import { FrameStore, type StoredFrame } from '../tools/frame-store';
import type { AgentEvent } from './events';
import { VlmReasoningModel, type VlmReasoningModelOptions } from './model-adapters';
import { parseStage1Output } from './parse-model-output';
import { runAgent } from './run-agent';
import { AppError, disposedError, isCancelled, toAppError } from '../core/errors';
import { stage1VideoPlan, type Stage1VideoPlan } from '../models/qwen-vl/video-inputs';
import { mediaUses } from '../media/media-uses';

/** What the session needs from an opened video (a `MediaFile` fits). */
export interface SkimSource {
  readonly probe: ProbeResult;
  skim(options: SkimOptions, job?: { signal?: AbortSignal }): Promise<Frame[]>;
}

/** Key-frame skims of long videos cost a fraction of exact ones; short videos afford exact frames. */
export const FAST_SKIM_AFTER_SECONDS = 120;

export type Orchestrator =
  /**
   * The VLM engine runs Stage 1 (with the skim frames) and Stage 2, unless `stage2` is given: a
   * text reasoner, which may use `vlmModel` (the VLM as a text model) as its fallback.
   */
  | {
      kind: 'vlm';
      vlm: VlmGenerator;
      options?: VlmReasoningModelOptions;
      stage2?: (vlmModel: ReasoningModel) => ReasoningModel;
    }
  /** Any model (a scripted double in tests); Stage 1 receives the skim frames as references. */
  | { kind: 'model'; stage1: ReasoningModel; stage2?: ReasoningModel };

export interface AgentSessionOptions {
  media: SkimSource;
  /** The name the model sees and uses as `video_path` (the file name). */
  videoName: string;
  orchestrator: Orchestrator;
  /** The tools for this video, usually `createToolRegistry` over the same media and frame store. */
  tools: ToolRegistry;
  /** How many skim frames, and how large, the orchestrator's Stage 1 takes (default: the release's Qwen2.5-VL plan). */
  skimPlan?: Stage1VideoPlan;
  signal?: AbortSignal;
}

export function skimModeFor(durationSeconds: number): SkimMode {
  return durationSeconds > FAST_SKIM_AFTER_SECONDS ? 'fast' : 'exact';
}

export class AgentSession {
  /** The skim frames, by id, for the VLM to see in Stage 1. */
  readonly skim: FrameStore;
  readonly video: VideoContext<StoredFrame>;
  /** Why the skim failed, when it did and the session went on with the speech alone. */
  readonly skimFailure: AppError | null;
  private readonly stage1: ReasoningModel;
  private readonly stage2: ReasoningModel;
  private readonly tools: ToolRegistry;
  private context: string | undefined;
  private disposed = false;

  private constructor(options: AgentSessionOptions, skim: FrameStore, frames: StoredFrame[], skimFailure: AppError | null) {
    this.skim = skim;
    this.skimFailure = skimFailure;
    this.tools = options.tools;
    // The part that can be read: a file cut short is described to the model as that long.
    const durationSeconds = mediaUses(options.media.probe).readableSeconds;
    this.video = { name: options.videoName, durationSeconds, skimFrames: frames };
    const { orchestrator } = options;
    const stage1 =
      orchestrator.kind === 'vlm' ? new VlmReasoningModel(orchestrator.vlm, skim, orchestrator.options) : orchestrator.stage1;
    this.stage1 = this.keepingContext(stage1);
    // Stage 2 is text only; the same model serves it unless another is given. It skips the
    // context-keeping wrapper, whose parse expects Stage-1 replies.
    this.stage2 =
      orchestrator.kind === 'model'
        ? (orchestrator.stage2 ?? orchestrator.stage1)
        : (orchestrator.stage2?.(stage1) ?? stage1);
  }

  /**
   * Skims the video once, as many frames and as large as the orchestrator's Stage 1 takes. A file
   * whose video is missing or does not decode here gets no skim frames, and questions use its speech.
   */
  static async open(options: AgentSessionOptions): Promise<AgentSession> {
    const { media, signal, skimPlan = stage1VideoPlan(undefined) } = options;
    const uses = mediaUses(media.probe);
    const duration = uses.readableSeconds;
    const track = media.probe.video;
    const count = skimPlan.frameCount(duration, track?.frameRate ?? 0);
    const source = track && track.displayWidth > 0 && track.displayHeight > 0 ? { width: track.displayWidth, height: track.displayHeight } : undefined;
    const store = new FrameStore({ prefix: 'skim', limit: Math.max(1, count), ...(source ? { source } : {}) });
    let frames: Frame[] = [];
    let skimFailure: AppError | null = null;
    if (uses.frames && count > 0) {
      try {
        frames = await media.skim({ count, mode: skimModeFor(duration), maxSide: skimPlan.maxSide, format: 'bitmap' }, { signal });
      } catch (error) {
        // Frames that fail to decode leave the speech, when there is any: questions go on with it.
        if (isCancelled(error) || !uses.speech) throw error;
        skimFailure = toAppError(error, 'decode-failed', 'The video could not be skimmed.');
      }
    }
    return new AgentSession(options, store, store.add(frames), skimFailure);
  }

  /** What the video shows, as the last readable Stage-1 reply described it. */
  get videoContext(): string | undefined {
    return this.context;
  }

  /** Runs the agent on one question; the events end with `answer`, `gave-up` or `error`. */
  ask(question: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<AgentEvent, void, undefined> {
    if (this.disposed) throw disposedError("This video's session");
    return runAgent({
      question,
      video: this.video,
      models: { stage1: this.stage1, stage2: this.stage2 },
      tools: this.tools,
      signal: options.signal,
      earlierContext: this.context,
    });
  }

  /** Frees the skim frames; `ask` afterwards throws `disposed`. The media file, engines and tools belong to the caller. */
  dispose(): void {
    this.disposed = true;
    this.skim.clear();
  }

  /** Wraps the Stage-1 model to remember the video description it writes. */
  private keepingContext(model: ReasoningModel): ReasoningModel {
    return {
      generate: async (request: GenerateRequest) => {
        const reply = await model.generate(request);
        const parsed = parseStage1Output(reply);
        if (parsed.ok && parsed.value.video_context.trim() !== '') this.context = parsed.value.video_context;
        return reply;
      },
      ...(model.promptPack ? { promptPack: () => model.promptPack!() } : {}),
    };
  }
}
