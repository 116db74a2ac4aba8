/**
 * `perform_reasoning`: the VLM answers a query about stored frames (named in `media_paths`), or
 * about text alone when no frames are named.
 */
import { AppError } from '../errors';
import type { ToolArguments, ToolOutput, ToolRunContext, ToolRunner } from '../agent/types';
import type { VlmGenerator } from '../models/engines/vlm-engine';
import { formatFrameTime } from '../time';
import type { FrameStore, StoredFrame } from './frame-store';

/** More images than this would crowd the VLM's context; two extractions' worth is allowed. */
export const MAX_REASONING_FRAMES = 20;
/** Ids listed in an "unknown id" message; the newest are the likely ones. */
const KNOWN_IDS_SHOWN = 30;

export interface PerformReasoningOptions {
  /** Default 256. */
  maxNewTokens?: number;
}

export function performReasoningTool(
  vlm: VlmGenerator,
  store: FrameStore,
  options: PerformReasoningOptions = {},
): ToolRunner<ToolArguments['perform_reasoning']> {
  const maxNewTokens = options.maxNewTokens ?? 256;
  return {
    async run(args, context: ToolRunContext): Promise<ToolOutput> {
      const frames = resolveMediaPaths(store, args.media_paths);
      const reply = await vlm.generate({
        prompt: reasoningPrompt(args.query, frames),
        images: frames.map((frame) => frame.image),
        maxNewTokens,
        signal: context.signal,
      });
      return {
        text: `answer: ${reply.trim() || '(the model gave no answer)'}`,
        frames: frames.map(({ id, timestamp }) => ({ id, timestamp })),
      };
    },
  };
}

/**
 * The stored frames named by `ids`, in the given order (repeats dropped). Throws an
 * 'invalid-argument' AppError the model can act on: which ids are unknown and which exist.
 */
export function resolveMediaPaths(store: Pick<FrameStore, 'get' | 'ids'>, ids: readonly string[]): StoredFrame[] {
  const unique = [...new Set(ids)];
  const unknown = unique.filter((id) => store.get(id) === undefined);
  if (unknown.length > 0) {
    const known = store.ids();
    const listed =
      known.length === 0
        ? 'No frames have been extracted yet; call extract_parts_from_timestamp first, or pass [] to reason over text.'
        : `Known frame ids: ${known.slice(-KNOWN_IDS_SHOWN).join(', ')}${known.length > KNOWN_IDS_SHOWN ? ' (older ones left out)' : ''}.`;
    throw new AppError('invalid-argument', `Unknown media_paths: ${unknown.join(', ')}. ${listed}`);
  }
  if (unique.length > MAX_REASONING_FRAMES) {
    throw new AppError(
      'invalid-argument',
      `media_paths names ${unique.length} frames; pass at most ${MAX_REASONING_FRAMES} at a time.`,
    );
  }
  return unique.map((id) => store.get(id) as StoredFrame);
}

function reasoningPrompt(query: string, frames: readonly StoredFrame[]): string {
  if (frames.length === 0) return `Answer from what you know, briefly and precisely.\n\n${query}`;
  const times = frames.map((frame) => `${frame.id} at ${formatFrameTime(frame.timestamp)}`).join(', ');
  return `The images are frames of a video, in this order: ${times}.\nAnswer from what the frames show, briefly and precisely; name the frame times you rely on.\n\n${query}`;
}
