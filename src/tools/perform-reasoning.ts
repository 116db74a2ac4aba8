/**
 * `perform_reasoning`: the VLM answers a query about stored frames (named in `media_paths`), or
 * about text alone when no frames are named.
 */
import { AppError } from '../core/errors';
import type { ToolArguments, ToolOutput, ToolRunContext, ToolRunner, VlmGenerator } from '../core/contracts';
import { formatFrameTime } from '../core/time';
import { timeInFrameName } from './frame-names';
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
      const { frames, notes } = resolveMediaPaths(store, args.media_paths);
      const reply = await vlm.generate({
        prompt: reasoningPrompt(args.query, frames),
        images: frames.map((frame) => frame.image),
        maxNewTokens,
        signal: context.signal,
      });
      return {
        text: `${notes.map((note) => `Note: ${note}\n`).join('')}answer: ${reply.trim() || '(the model gave no answer)'}`,
        frames: frames.map(({ id, timestamp }) => ({ id, timestamp })),
      };
    },
  };
}

/**
 * The stored frames named by `ids`, in the given order (repeats dropped). A name this session did
 * not issue but which ends in a time (`..._12:34.jpg`, as the release names frames) stands for the
 * stored frame nearest that time, and a note says so. Throws an 'invalid-argument' AppError the
 * model can act on otherwise: which ids are unknown and which exist.
 */
export function resolveMediaPaths(
  store: Pick<FrameStore, 'get' | 'ids' | 'nearest'>,
  ids: readonly string[],
): { frames: StoredFrame[]; notes: string[] } {
  const notes: string[] = [];
  const resolved = ids.map((id) => {
    const stored = store.get(id);
    if (stored) return { id, frame: stored };
    const time = timeInFrameName(id);
    const nearest = time === null ? undefined : store.nearest(time);
    if (!nearest || time === null) return { id, frame: undefined };
    notes.push(`${id} was not extracted; used ${nearest.id}, the stored frame nearest ${formatFrameTime(time)} (at ${formatFrameTime(nearest.timestamp)}).`);
    return { id: nearest.id, frame: nearest };
  });
  const unknown = resolved.filter((entry) => entry.frame === undefined).map((entry) => entry.id);
  if (unknown.length > 0) {
    const known = store.ids();
    const listed =
      known.length === 0
        ? 'No frames have been extracted yet; call extract_parts_from_timestamp first, or pass [] to reason over text.'
        : `Known frame ids: ${known.slice(-KNOWN_IDS_SHOWN).join(', ')}${known.length > KNOWN_IDS_SHOWN ? ' (older ones left out)' : ''}.`;
    throw new AppError('invalid-argument', `Unknown media_paths: ${unknown.join(', ')}. ${listed}`);
  }
  const unique = [...new Set(resolved.map((entry) => entry.id))];
  if (unique.length > MAX_REASONING_FRAMES) {
    throw new AppError(
      'invalid-argument',
      `media_paths names ${unique.length} frames; pass at most ${MAX_REASONING_FRAMES} at a time.`,
    );
  }
  return { frames: unique.map((id) => store.get(id) as StoredFrame), notes };
}

function reasoningPrompt(query: string, frames: readonly StoredFrame[]): string {
  if (frames.length === 0) return `Answer from what you know, briefly and precisely.\n\n${query}`;
  const times = frames.map((frame) => `${frame.id} at ${formatFrameTime(frame.timestamp)}`).join(', ');
  return `The images are frames of a video, in this order: ${times}.\nAnswer from what the frames show, briefly and precisely; name the frame times you rely on.\n\n${query}`;
}
