/**
 * How well frames show an event. The VLM asks itself yes or no per frame; an image-text embedding
 * model (similarity of each frame to the event text) can replace it behind the same interface.
 */
import type { VlmGenerator, VlmImage } from '../core/contracts';
import { parseYesNo } from './yes-no';

export interface ScoringFrame {
  timestamp: number;
  image: VlmImage;
}

export interface FrameEventScorer {
  /** One score from 0 to 1 per frame, in the frames' order. */
  score(frames: readonly ScoringFrame[], event: string, options: { signal?: AbortSignal }): Promise<number[]>;
}

/** One short VLM call per frame: several images in one call blur which answer goes with which. */
export class VlmYesNoScorer implements FrameEventScorer {
  constructor(private readonly vlm: VlmGenerator) {}

  async score(frames: readonly ScoringFrame[], event: string, options: { signal?: AbortSignal }): Promise<number[]> {
    const scores: number[] = [];
    for (const frame of frames) {
      const reply = await this.vlm.generate({
        prompt: yesNoPrompt(event),
        images: [frame.image],
        // "Yes" or "No" plus punctuation; anything longer is not needed to read the verdict.
        maxNewTokens: 4,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      // An unclear reply is no evidence that the event is shown.
      scores.push(parseYesNo(reply) === true ? 1 : 0);
    }
    return scores;
  }
}

export function yesNoPrompt(event: string): string {
  return `Does this video frame show the following: ${event}\nAnswer with one word, yes or no.`;
}
