/**
 * Checks and repairs the arguments of one tool call before it runs. A call that cannot be repaired
 * yields a problem sentence for the model instead of reaching the tool.
 */
import {
  DEFAULT_EXTRACT_TYPE,
  DEFAULT_MAX_CONTENT_LENGTH,
  DEFAULT_WEB_RESULTS,
  EXTRACT_TYPES,
  MAX_WEB_RESULTS,
  MIN_WEB_RESULTS,
  type ExtractType,
  type ToolName,
  type WindowedToolName,
} from '../core/protocol';
import { formatTimestamp } from '../core/time';
import { checkWindow } from '../core/timestamps';
import type { TimeSpan, ToolArguments } from '../core/contracts';

/** A call ready to run: typed arguments for the tool and the same arguments as the model writes them. */
export type CheckedToolCall = {
  [N in ToolName]: {
    name: N;
    args: ToolArguments[N];
    /** The repaired arguments in protocol form (timestamps as HH:MM:SS), for prompts and the UI. */
    display: Record<string, unknown>;
    /** What was changed, in sentences the model can read. */
    repairs: string[];
    /** The part of the video a windowed tool looks at. */
    window?: TimeSpan;
  };
}[ToolName];

export type ArgumentCheck = { ok: true; call: CheckedToolCall } | { ok: false; problem: string };

export interface ArgumentContext {
  duration: number;
  videoName: string;
}

type Field<T> = { ok: true; value: T } | { ok: false; problem: string };

export function checkToolArguments(name: ToolName, raw: Record<string, unknown>, context: ArgumentContext): ArgumentCheck {
  switch (name) {
    case 'verbal_transcript': {
      const window = windowOf(name, raw, context);
      if (!window.ok) return window;
      const { start, end, repairs } = window.value;
      return ok({
        name,
        args: { video_path: context.videoName, timestamp_start: start, timestamp_end: end },
        display: { video_path: context.videoName, ...clock(start, end) },
        repairs,
        window: { start, end },
      });
    }
    case 'identify_timestamps_visually': {
      const event = text(raw, 'event', 'describe the visual event to look for');
      if (!event.ok) return event;
      const window = windowOf(name, raw, context);
      if (!window.ok) return window;
      const { start, end, repairs } = window.value;
      return ok({
        name,
        args: { video_path: context.videoName, event: event.value, timestamp_start: start, timestamp_end: end },
        display: { video_path: context.videoName, event: event.value, ...clock(start, end) },
        repairs,
        window: { start, end },
      });
    }
    case 'extract_parts_from_timestamp': {
      const extractType = extractTypeOf(raw.extract_type);
      if (!extractType.ok) return extractType;
      const window = windowOf(name, raw, context);
      if (!window.ok) return window;
      const { start, end, repairs } = window.value;
      return ok({
        name,
        args: {
          video_path: context.videoName,
          timestamp_start: start,
          timestamp_end: end,
          extract_type: extractType.value,
        },
        display: { video_path: context.videoName, ...clock(start, end), extract_type: extractType.value },
        repairs,
        window: { start, end },
      });
    }
    case 'perform_reasoning': {
      const query = text(raw, 'query', 'say what to find out');
      if (!query.ok) return query;
      const mediaPaths = mediaPathsOf(raw.media_paths);
      if (!mediaPaths.ok) return mediaPaths;
      const args = { query: query.value, media_paths: mediaPaths.value };
      return ok({ name, args, display: { ...args }, repairs: [] });
    }
    case 'unified_web_search': {
      const query = text(raw, 'query', 'give the words to search for');
      if (!query.ok) return query;
      const searchType = raw.search_type ?? 'web';
      if (typeof searchType !== 'string' || searchType.trim().toLowerCase() !== 'web') {
        return { ok: false, problem: `search_type ${JSON.stringify(searchType)} is not supported; use "web".` };
      }
      const repairs: string[] = [];
      const count = integerOf(raw.num_results, 'num_results', DEFAULT_WEB_RESULTS);
      if (!count.ok) return count;
      const numResults = Math.min(MAX_WEB_RESULTS, Math.max(MIN_WEB_RESULTS, count.value));
      if (numResults !== count.value) {
        repairs.push(`num_results ${count.value} is outside ${MIN_WEB_RESULTS}-${MAX_WEB_RESULTS} and was set to ${numResults}.`);
      }
      const args = { query: query.value, search_type: 'web' as const, num_results: numResults };
      return ok({ name, args, display: { ...args }, repairs });
    }
    case 'parse_web_data': {
      const url = urlOf(raw.website_url);
      if (!url.ok) return url;
      const length = integerOf(raw.max_content_length, 'max_content_length', DEFAULT_MAX_CONTENT_LENGTH);
      if (!length.ok) return length;
      if (length.value < 1) return { ok: false, problem: 'max_content_length must be a positive number of characters.' };
      const args = { website_url: url.value, max_content_length: length.value };
      return ok({ name, args, display: { ...args }, repairs: [] });
    }
  }
}

function ok(call: CheckedToolCall): ArgumentCheck {
  return { ok: true, call };
}

function clock(start: number, end: number): { timestamp_start: string; timestamp_end: string } {
  return { timestamp_start: formatTimestamp(start), timestamp_end: formatTimestamp(end) };
}

function windowOf(
  name: WindowedToolName,
  raw: Record<string, unknown>,
  context: ArgumentContext,
): Field<{ start: number; end: number; repairs: string[] }> {
  // A missing bound means "from the start" / "to the end". A window longer than the documented cap
  // runs as asked, as the release runs it: SAGE-MM was trained on those results, not on errors.
  const repairs: string[] = [];
  let rawStart = raw.timestamp_start;
  let rawEnd = raw.timestamp_end;
  if (rawStart === undefined || rawStart === null || rawStart === '') {
    rawStart = 0;
    repairs.push('timestamp_start was missing; used 00:00:00.');
  }
  if (rawEnd === undefined || rawEnd === null || rawEnd === '') {
    rawEnd = context.duration;
    repairs.push(`timestamp_end was missing; used the end of the video (${formatTimestamp(context.duration)}).`);
  }
  const checked = checkWindow(rawStart, rawEnd, { duration: context.duration });
  if (!checked.ok) return checked;
  return { ok: true, value: { ...checked.window, repairs: [...repairs, ...checked.repairs] } };
}

function text(raw: Record<string, unknown>, key: string, hint: string): Field<string> {
  const value = raw[key];
  if (typeof value === 'string' && value.trim() !== '') return { ok: true, value: value.trim() };
  if (typeof value === 'number') return { ok: true, value: String(value) };
  return { ok: false, problem: `${key} is missing or empty; ${hint}.` };
}

function extractTypeOf(value: unknown): Field<ExtractType> {
  if (value === undefined || value === null || value === '') return { ok: true, value: DEFAULT_EXTRACT_TYPE };
  if (typeof value === 'string') {
    const wanted = value.trim().toLowerCase().replace(/s$/, '');
    const match = EXTRACT_TYPES.find((type) => type.replace(/s$/, '') === wanted);
    if (match) return { ok: true, value: match };
  }
  return { ok: false, problem: `extract_type ${JSON.stringify(value)} is not one of "frames" or "subclips".` };
}

function mediaPathsOf(value: unknown): Field<string[]> {
  if (value === undefined || value === null) return { ok: true, value: [] };
  const list = typeof value === 'string' ? [value] : value;
  if (Array.isArray(list) && list.every((item): item is string => typeof item === 'string')) {
    return { ok: true, value: list.map((item) => item.trim()).filter((item) => item !== '') };
  }
  return {
    ok: false,
    problem: 'media_paths must be a list of frame ids from extract_parts_from_timestamp, or [] for text-only reasoning.',
  };
}

function integerOf(value: unknown, key: string, fallback: number): Field<number> {
  if (value === undefined || value === null || value === '') return { ok: true, value: fallback };
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof number === 'number' && Number.isFinite(number)) return { ok: true, value: Math.round(number) };
  return { ok: false, problem: `${key} must be a whole number, not ${JSON.stringify(value)}.` };
}

function urlOf(value: unknown): Field<string> {
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, problem: 'website_url is missing; give the full address of the page, starting with https://.' };
  }
  const trimmed = value.trim();
  // Models often drop the scheme ("example.com/page"); such an address is still unambiguous.
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    const url = new URL(candidate);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { ok: true, value: url.href };
  } catch {
    // Not a URL: reported below.
  }
  return { ok: false, problem: `website_url ${JSON.stringify(value)} is not a web address; give one starting with https://.` };
}
