/**
 * The VLM engine as the agent's `ReasoningModel`: Stage 1's skim frames become one video, as the
 * SAGE release feeds Qwen-family SAGE-MM (a model without video input gets them as images), and
 * streaming and cancellation pass straight through.
 */
import { AppError } from '../core/errors';
import type { FrameRef, GenerateRequest, PixelSize, ReasoningModel, VlmGenerator, VlmImage } from '../core/contracts';
import { RELEASE_SECONDS_PER_GRID } from '../models/qwen-vl/video-inputs';

/** Where the pixels of a frame reference live (a `FrameStore` fits). */
export interface FrameImageSource {
  get(id: string): { image: VlmImage } | undefined;
  /** The display size of the video the frames come from (the release sizes Stage-1 frames from it). */
  readonly source?: PixelSize;
}

export interface VlmReasoningModelOptions {
  /** Longest reply; Stage-1 and Stage-2 JSON fits in the default 768 tokens. */
  maxNewTokens?: number;
}

export const DEFAULT_ORCHESTRATOR_MAX_NEW_TOKENS = 768;

export class VlmReasoningModel implements ReasoningModel {
  private readonly maxNewTokens: number;

  constructor(
    private readonly vlm: VlmGenerator,
    private readonly frames: FrameImageSource,
    options: VlmReasoningModelOptions = {},
  ) {
    this.maxNewTokens = options.maxNewTokens ?? DEFAULT_ORCHESTRATOR_MAX_NEW_TOKENS;
  }

  async generate(request: GenerateRequest<FrameRef>): Promise<string> {
    const skim = request.images ?? [];
    const frames = skim.map((frame) => this.imageOf(frame));
    return this.vlm.generate({
      prompt: request.prompt,
      ...(request.system === undefined ? {} : { system: request.system }),
      ...(frames.length > 0
        ? {
            video: {
              frames,
              secondsPerGrid: RELEASE_SECONDS_PER_GRID,
              frameTimes: skim.map((frame) => frame.timestamp),
              ...(this.frames.source ? { sourceSize: this.frames.source } : {}),
            },
          }
        : {}),
      maxNewTokens: this.maxNewTokens,
      signal: request.signal,
      ...(request.onToken ? { onToken: request.onToken } : {}),
      ...(request.onWork ? { onWork: request.onWork } : {}),
    });
  }

  promptPack(): Promise<unknown> {
    return this.vlm.promptPack?.() ?? Promise.resolve(undefined);
  }

  private imageOf(frame: FrameRef): VlmImage {
    const image = this.frames.get(frame.id)?.image;
    if (!image) {
      throw new AppError('internal', 'A frame of the video was released before the model could see it.', {
        detail: `no image for frame ${frame.id}`,
      });
    }
    return image;
  }
}
