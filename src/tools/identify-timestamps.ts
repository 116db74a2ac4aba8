/**
 * `identify_timestamps_visually`: when an event happens inside a window. The window is sampled
 * densely at low resolution (1 frame a second, at most 32), each frame is scored against the event,
 * and the best run of matching frames gives the start and end. Most frames decode while the first
 * few are scored.
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

/**
 * The instants in the order they are extracted: a short head, then the rest, so the rest decodes
 * while the head is scored (the media worker and the scorer's model run side by side, and the tool
 * no longer waits for all frames before its first model call). Each extraction after the first
 * starts decoding at its own key frame, so there are only two. Windows of a few frames stay whole.
 */
export function groundingBatches(first: number, last: number, step: number, count: number): Array<{ start: number; end: number; count: number }> {
  const head = Math.max(2, Math.ceil(count / 4));
  if (count - head < 2) return [{ start: first, end: last, count }];
  return [
    { start: first, end: first + (head - 1) * step, count: head },
    { start: first + head * step, end: last, count: count - head },
  ];
}

export function identifyTimestampsTool(
  media: FrameExtractor,
  scorer: FrameEventScorer,
): ToolRunner<ToolArguments['identify_timestamps_visually']> {
  return {
    async run(args, context: ToolRunContext): Promise<ToolOutput> {
      const { timestamp_start: start, timestamp_end: end, event } = args;
      const { count, step, first, last } = groundingSlices(start, end);
      const extract = (batch: { start: number; end: number; count: number }): Promise<Frame[]> => {
        const frames = media.extract({ ...batch, maxSide: GROUNDING_MAX_SIDE, format: 'bitmap' }, { signal: context.signal });
        // Awaited later; a failure while the previous batch is scored must not count as unhandled.
        frames.catch(() => {});
        return frames;
      };
      const batches = groundingBatches(first, last, step, count);
      const frames: Frame[] = [];
      const scores: number[] = [];
      let pending: Promise<Frame[]> | null = extract(batches[0]!);
      try {
        for (let index = 0; index < batches.length; index++) {
          const batch = await (pending as Promise<Frame[]>);
          pending = null;
          // One frame can show at the last instant of a batch and the first of the next (a window
          // shorter than the frame interval): it is scored once, as a single extraction keeps it once.
          const previous = frames.at(-1);
          const repeated = previous !== undefined && batch[0]?.timestamp === previous.timestamp;
          if (repeated) closeBitmaps(batch.slice(0, 1));
          const fresh = repeated ? batch.slice(1) : batch;
          frames.push(...fresh);
          const next = batches[index + 1];
          if (next) pending = extract(next);
          scores.push(...(await scorer.score(fresh, event, { signal: context.signal })));
        }
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
        // Scoring failed while the next batch was decoding: nothing of this call outlives it.
        if (pending) closeBitmaps(await pending.catch((): Frame[] => []));
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
