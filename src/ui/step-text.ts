/**
 * Agent steps in words, and timestamps inside model and tool text turned into seekable pieces.
 * Pure functions: the element renders what they return.
 */
import type { ModelWorkProgress } from '../core/contracts';
import { parseTimestamp } from '../core/timestamps';
import { formatSpan } from './format';

const seconds = (value: unknown): number | null => {
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.seconds : null;
};

function windowText(args: Record<string, unknown>): string {
  const start = seconds(args.timestamp_start);
  const end = seconds(args.timestamp_end);
  if (start === null || end === null) return 'part of the video';
  return formatSpan(start, end);
}

function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const short = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  return `“${short}”`;
}

/** One line saying what a tool call does, e.g. "Listening to 02:10–04:40". */
export function describeToolCall(name: string, args: Record<string, unknown>): string {
  switch (name) {
    case 'verbal_transcript':
      return `Listening to ${windowText(args)}`;
    case 'extract_parts_from_timestamp':
      return args.extract_type === 'subclips'
        ? `Watching a clip of ${windowText(args)}`
        : `Looking closely at 10 frames from ${windowText(args)}`;
    case 'identify_timestamps_visually':
      return `Searching ${windowText(args)} for ${quoted(args.event)}`;
    case 'perform_reasoning': {
      const paths = Array.isArray(args.media_paths) ? args.media_paths.length : 0;
      const over = paths === 0 ? '' : ` over ${paths} frame${paths === 1 ? '' : 's'}`;
      return `Thinking${over}: ${quoted(args.query)}`;
    }
    case 'unified_web_search':
      return `Searching the web for ${quoted(args.query)}`;
    case 'parse_web_data':
      return `Reading ${typeof args.website_url === 'string' ? args.website_url : 'a web page'}`;
    default:
      return `Trying “${name}”, which is not a tool`;
  }
}

export type TextPart = { text: string } | { text: string; seconds: number; end?: number };

// H:MM:SS or MM:SS (optionally with tenths), alone or as a range joined by '-', '–' or ' to '.
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2})?(?:\.\d)?`;
const TIMESTAMP = new RegExp(String.raw`(?<![\d:.])(${CLOCK})(?:\s*(?:-|–|—|to)\s*(${CLOCK}))?(?![\d:])`, 'g');

/**
 * Splits text into plain pieces and timestamp pieces; times past `duration` (when given) stay
 * plain text, since seeking there would mean nothing.
 */
export function splitTimestamps(text: string, duration = Infinity): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(TIMESTAMP)) {
    const start = seconds(match[1]);
    if (start === null || start > duration) continue;
    const end = match[2] === undefined ? null : seconds(match[2]);
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push(end !== null && end >= start && end <= duration ? { text: match[0], seconds: start, end } : { text: match[0], seconds: start });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** Label for a stage's start: Stage 1 looks at the skim, each Stage-2 step decides what to do next. */
/** What a model call is doing before its first token, e.g. "Reading the prompt: 1,200 of 5,900 tokens". */
export function describeWork(progress: ModelWorkProgress): string {
  const count = (value: number) => value.toLocaleString('en-US');
  return progress.phase === 'vision'
    ? `Looking at the frames: ${count(progress.done)} of ${count(progress.total)} vision passes`
    : `Reading the prompt: ${count(progress.done)} of ${count(progress.total)} tokens`;
}

export function describeStage(stage: 1 | 2, step: number, skimFrames: number): string {
  if (stage === 1) return skimFrames > 0 ? `Looking over the whole video (${skimFrames} skim frames)` : 'Reading the question';
  return `Step ${step}: weighing what was found`;
}

