/**
 * Timestamps as the model writes them (HH:MM:SS, MM:SS, SS, fractions, plain numbers) and the
 * tool windows built from them. Every failure is a value with a sentence the model can act on.
 */
import { formatTimestamp } from './time';
import type { TimeSpan } from './contracts';

export type TimestampResult = { ok: true; seconds: number } | { ok: false; problem: string };

const FORMAT_HINT = 'use HH:MM:SS, MM:SS or seconds, for example "00:01:30" or 90';

export function parseTimestamp(value: unknown): TimestampResult {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return { ok: true, seconds: value };
    return { ok: false, problem: `${String(value)} is not a valid time; ${FORMAT_HINT}.` };
  }
  if (typeof value !== 'string') {
    return { ok: false, problem: `${JSON.stringify(value) ?? String(value)} is not a time; ${FORMAT_HINT}.` };
  }
  const seconds = secondsFromClock(value.trim());
  if (seconds === null) return { ok: false, problem: `"${value}" is not a time; ${FORMAT_HINT}.` };
  return { ok: true, seconds };
}

const WHOLE = /^\d+$/;
// SRT writes fractions with a comma; a trailing "s" shows up in plain-seconds answers.
const FRACTIONAL = /^\d+(?:[.,]\d+)?s?$/;

function secondsFromClock(text: string): number | null {
  const parts = text.split(':');
  if (parts.length > 3) return null;
  const last = parts.pop() ?? '';
  if (!FRACTIONAL.test(last) || !parts.every((part) => WHOLE.test(part))) return null;
  const seconds = Number(last.replace(',', '.').replace(/s$/, ''));
  const [first, second] = parts.map(Number);
  if (first === undefined) return seconds;
  // Fields after the leading one are clock fields and must stay below 60.
  if (seconds >= 60) return null;
  if (second === undefined) return first * 60 + seconds;
  if (second >= 60) return null;
  return first * 3600 + second * 60 + seconds;
}

export interface WindowOptions {
  /** Video duration in seconds; ends past it are clamped to it. */
  duration: number;
}

export type WindowResult =
  | { ok: true; window: TimeSpan; repairs: string[] }
  | { ok: false; problem: string };

/**
 * Checks a `timestamp_start`/`timestamp_end` pair: parses both, swaps them when given in the wrong
 * order, clamps them to the video, then insists on start < end. `repairs`
 * says what was changed, so the model can see it.
 */
export function checkWindow(rawStart: unknown, rawEnd: unknown, options: WindowOptions): WindowResult {
  const parsedStart = parseTimestamp(rawStart);
  if (!parsedStart.ok) return { ok: false, problem: `timestamp_start: ${parsedStart.problem}` };
  const parsedEnd = parseTimestamp(rawEnd);
  if (!parsedEnd.ok) return { ok: false, problem: `timestamp_end: ${parsedEnd.problem}` };

  const repairs: string[] = [];
  let start = parsedStart.seconds;
  let end = parsedEnd.seconds;
  if (start > end) {
    [start, end] = [end, start];
    repairs.push(`timestamp_start and timestamp_end were swapped to ${formatTimestamp(start)}-${formatTimestamp(end)}.`);
  }
  const { duration } = options;
  if (end > duration) {
    repairs.push(`timestamp_end ${formatTimestamp(end)} is past the end of the video and was set to ${formatTimestamp(duration)}.`);
    end = duration;
  }
  if (start >= end) {
    const problem =
      start >= duration
        ? `timestamp_start ${formatTimestamp(start)} is at or after the end of the video (${formatTimestamp(duration)}).`
        : `timestamp_start must be before timestamp_end (both are ${formatTimestamp(start)}).`;
    return { ok: false, problem };
  }
  return { ok: true, window: { start, end }, repairs };
}
