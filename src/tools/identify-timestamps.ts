/**
 * `identify_timestamps_visually`: when an event happens inside a window. The window is sampled
 * densely at low resolution (1 frame a second, at most 32), each frame is scored against the event,
 * and the best run of matching frames gives the start and end.
 */
import type { ToolArguments, ToolOutput, ToolRunContext, ToolRunner } from '../core/contracts';
import type { Frame } from '../media/types';
import { formatFrameTime, formatTimestamp } from '../core/time';
import { MATCH_THRESHOLD, selectEventSpan, type ScoredSlice } from './event-span';
import type { FrameExtractor } from './extract-parts';
import type { FrameEventScorer } from './frame-event-scorer';

export const GROUNDING_FRAMES_PER_SECOND = 1;
export const MAX_GROUNDING_FRAMES = 32;
/** Small frames: enough to tell whether something happens, cheap to score many. */
export const GROUNDING_MAX_SIDE = 224;

/** Sample instants: the middle of `count` equal slices of the window, each standing for its slice. */
export function groundingSlices(start: number, end: number): { count: number; step: number; first: number; last: number } {
  const length = end - start;
  // At least two, so the extraction window (first to last instant) is never empty.
  const count = Math.min(MAX_GROUNDING_FRAMES, Math.max(2, Math.ceil(length * GROUNDING_FRAMES_PER_SECOND)));
  const step = length / count;
  return { count, step, first: start + step / 2, last: end - step / 2 };
}

export function identifyTimestampsTool(
  media: FrameExtractor,
  scorer: FrameEventScorer,
): ToolRunner<ToolArguments['identify_timestamps_visually']> {
  return {
    async run(args, context: ToolRunContext): Promise<ToolOutput> {
      const { timestamp_start: start, timestamp_end: end, event } = args;
      const { count, step, first, last } = groundingSlices(start, end);
      const frames = await media.extract(
        { start: first, end: last, count, maxSide: GROUNDING_MAX_SIDE, format: 'bitmap' },
        { signal: context.signal },
      );
      try {
        const scores = await scorer.score(frames, event, { signal: context.signal });
        const slices: ScoredSlice[] = frames.map((frame, i) => ({
          start: Math.max(start, frame.requestedTime - step / 2),
          end: Math.min(end, frame.requestedTime + step / 2),
          score: scores[i] ?? 0,
        }));
        const span = selectEventSpan(slices);
        const matched = scores.filter((score) => score >= MATCH_THRESHOLD).length;
        return {
          text: describeGrounding(event, span, { start, end }, matched, frames.length),
          ...(span ? { spans: [span] } : {}),
        };
      } finally {
        closeBitmaps(frames);
      }
    },
  };
}

export function describeGrounding(
  event: string,
  span: { start: number; end: number } | null,
  window: { start: number; end: number },
  matched: number,
  sampled: number,
): string {
  const where = `${formatTimestamp(window.start)}-${formatTimestamp(window.end)}`;
  if (!span) {
    return (
      'timestamps: {"start": null, "end": null}\n' +
      `The event ${JSON.stringify(event)} was not seen in any of ${sampled} frames sampled between ${where}.`
    );
  }
  const found = { start: formatFrameTime(span.start), end: formatFrameTime(span.end) };
  return (
    `timestamps: ${JSON.stringify(found)}\n` +
    `The event ${JSON.stringify(event)} is seen from ${found.start} to ${found.end} ` +
    `(${matched} of ${sampled} frames sampled between ${where} matched).`
  );
}

function closeBitmaps(frames: readonly Frame[]): void {
  for (const frame of frames) if (!(frame.image instanceof Blob)) frame.image.close();
}
