/**
 * `extract_parts_from_timestamp`: ten evenly spaced high-resolution frames of a window, from the
 * media worker into the frame store; the model gets their names (its `media_paths`, named as the
 * release names extracted frames) and times.
 */
import type { ExtractType } from '../core/protocol';
import type { ToolArguments, ToolOutput, ToolRunContext, ToolRunner } from '../core/contracts';
import type { ExtractOptions, Frame } from '../media/types';
import { formatFrameTime, formatTimestamp } from '../core/time';
import { releaseFrameName } from './frame-names';
import type { FrameStore, StoredFrame } from './frame-store';

/** What the tool needs from an opened video (a `MediaFile` fits). */
export interface FrameExtractor {
  extract(options: ExtractOptions, job?: { signal?: AbortSignal }): Promise<Frame[]>;
  /** The video's frame rate gives each frame's index in its name. */
  readonly probe?: { video: { frameRate: number } | null };
}

export const EXTRACT_FRAME_COUNT = 10;
/** Longest side of an extracted frame: detail a VLM can read without the tokens of full HD. */
export const EXTRACT_MAX_SIDE = 768;

export function extractPartsTool(media: FrameExtractor, store: FrameStore): ToolRunner<ToolArguments['extract_parts_from_timestamp']> {
  return {
    async run(args, context: ToolRunContext): Promise<ToolOutput> {
      const frames = await media.extract(
        {
          start: args.timestamp_start,
          end: args.timestamp_end,
          count: EXTRACT_FRAME_COUNT,
          maxSide: EXTRACT_MAX_SIDE,
          // Kept compressed: a stored JPEG is tens of KB, a decoded 768-px bitmap over a megabyte.
          format: 'jpeg',
        },
        { signal: context.signal },
      );
      const frameRate = media.probe?.video?.frameRate ?? 0;
      const names = frames.map((frame) =>
        releaseFrameName({
          videoPath: args.video_path,
          windowStart: args.timestamp_start,
          windowEnd: args.timestamp_end,
          timestamp: frame.timestamp,
          frameRate,
        }),
      );
      const stored = store.add(frames, names);
      return {
        text: describeExtraction(stored, args.timestamp_start, args.timestamp_end, args.extract_type),
        frames: stored.map(({ id, timestamp }) => ({ id, timestamp })),
        spans: [{ start: args.timestamp_start, end: args.timestamp_end }],
      };
    },
  };
}

export function describeExtraction(
  frames: readonly Pick<StoredFrame, 'id' | 'timestamp'>[],
  start: number,
  end: number,
  extractType: ExtractType,
): string {
  const window = `${formatTimestamp(start)}-${formatTimestamp(end)}`;
  if (frames.length === 0) return `No frames could be extracted between ${window}.`;
  const lines = [
    `Extracted ${frames.length} frames between ${window}.`,
    `media_paths: ${JSON.stringify(frames.map((frame) => frame.id))}`,
    ...frames.map((frame) => `${frame.id} at ${formatFrameTime(frame.timestamp)}`),
  ];
  if (extractType === 'subclips') {
    // Cutting a playable clip would mean re-encoding in the browser; frames carry the same content.
    lines.unshift('Subclips cannot be cut in the browser, so the window is given as frames instead.');
  }
  lines.push('Pass these names as media_paths to perform_reasoning to look at the frames.');
  return lines.join('\n');
}
