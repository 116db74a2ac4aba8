/**
 * The SAGE wire format: the JSON objects SAGE-MM emits, the tools it may call and the loop limits.
 * Field, tool and argument names are the ones the released checkpoints were trained on
 * (see shared/SAGE-PROTOCOL.md); renaming any of them breaks a real SAGE-MM.
 */

export const MAX_STAGE2_STEPS = 10;
/** Only the most recent tool results go into a Stage-2 prompt, to bound its length. */
export const MAX_TOOL_RESULTS_IN_CONTEXT = 10;
/** SAGE's skim (F): one frame per second, at most 128 frames. */
export const MAX_SKIM_FRAMES = 128;
export const SKIM_FRAMES_PER_SECOND = 1;

export const TOOL_NAMES = [
  'verbal_transcript',
  'identify_timestamps_visually',
  'extract_parts_from_timestamp',
  'perform_reasoning',
  'unified_web_search',
  'parse_web_data',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Tools that need a search provider; offline they are left out of what the model is offered. */
export const WEB_TOOL_NAMES: readonly ToolName[] = ['unified_web_search', 'parse_web_data'];

export type WindowedToolName = 'verbal_transcript' | 'identify_timestamps_visually' | 'extract_parts_from_timestamp';

/** Longest `timestamp_end - timestamp_start` each windowed tool accepts, in seconds. */
export const WINDOW_CAP_SECONDS: Readonly<Record<WindowedToolName, number>> = {
  verbal_transcript: 600,
  identify_timestamps_visually: 600,
  extract_parts_from_timestamp: 300,
};

export const EXTRACT_TYPES = ['frames', 'subclips'] as const;
export type ExtractType = (typeof EXTRACT_TYPES)[number];
export const DEFAULT_EXTRACT_TYPE: ExtractType = 'frames';
export const MIN_WEB_RESULTS = 1;
export const MAX_WEB_RESULTS = 10;
export const DEFAULT_WEB_RESULTS = 3;
export const DEFAULT_MAX_CONTENT_LENGTH = 5000;

export function isToolName(value: string): value is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(value);
}

export function isWebTool(name: ToolName): boolean {
  return WEB_TOOL_NAMES.includes(name);
}

// ---- The JSON objects the model emits ----

export interface ToolCall {
  rationale: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface RecommendedTools {
  needed: boolean;
  why_no_tool: string;
  tool_calls: ToolCall[];
}

export interface Stage1Output {
  video_context: string;
  query_intent: string;
  final_answer: string | null;
  recommended_tools: RecommendedTools;
}

export interface Stage2Output {
  answerable: { verdict: boolean; reasoning: string };
  final_answer: string | null;
  recommended_tools: RecommendedTools;
}

// ---- Tool definitions (T in the prompt) ----

export interface JsonSchema {
  type: 'object' | 'string' | 'integer' | 'array';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: readonly string[];
  default?: string | number;
  minimum?: number;
  maximum?: number;
}

export interface ToolDefinition {
  name: ToolName;
  description: string;
  parameters: JsonSchema;
}

const videoPath: JsonSchema = { type: 'string', description: 'Name of the video to work on.' };
const start: JsonSchema = { type: 'string', description: 'Window start, HH:MM:SS.' };
const end: JsonSchema = { type: 'string', description: 'Window end, HH:MM:SS.' };

const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  {
    name: 'verbal_transcript',
    description:
      'Transcribe the speech in a window of the video (at most 10 minutes). Returns segments of text with absolute start and end times.',
    parameters: {
      type: 'object',
      properties: { video_path: videoPath, timestamp_start: start, timestamp_end: end },
      required: ['video_path', 'timestamp_start', 'timestamp_end'],
    },
  },
  {
    name: 'identify_timestamps_visually',
    description:
      'Find when a visual event happens inside a window of the video (at most 10 minutes; guess the window first, it never searches the whole video). Returns the start and end of the event, or nulls if it is not found.',
    parameters: {
      type: 'object',
      properties: {
        video_path: videoPath,
        event: { type: 'string', description: 'The event to look for, described visually.' },
        timestamp_start: start,
        timestamp_end: end,
      },
      required: ['video_path', 'event', 'timestamp_start', 'timestamp_end'],
    },
  },
  {
    name: 'extract_parts_from_timestamp',
    description:
      'Take a closer look at a window of the video (at most 5 minutes). Returns media_paths: 10 evenly spaced high-resolution frames, or one subclip.',
    parameters: {
      type: 'object',
      properties: {
        video_path: videoPath,
        timestamp_start: start,
        timestamp_end: end,
        extract_type: { type: 'string', enum: EXTRACT_TYPES, default: DEFAULT_EXTRACT_TYPE },
      },
      required: ['video_path', 'timestamp_start', 'timestamp_end'],
    },
  },
  {
    name: 'perform_reasoning',
    description:
      'Answer a question about frames from earlier extractions (media_paths), or reason over text alone when media_paths is empty. Returns an answer.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What to find out.' },
        media_paths: {
          type: 'array',
          items: { type: 'string' },
          description: 'Frame ids returned by extract_parts_from_timestamp.',
        },
      },
      required: ['query', 'media_paths'],
    },
  },
  {
    name: 'unified_web_search',
    description: 'Search the web. Returns results with title, snippet and link.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string' },
        search_type: { type: 'string', enum: ['web'], default: 'web' },
        num_results: {
          type: 'integer',
          minimum: MIN_WEB_RESULTS,
          maximum: MAX_WEB_RESULTS,
          default: DEFAULT_WEB_RESULTS,
        },
      },
      required: ['query'],
    },
  },
  {
    name: 'parse_web_data',
    description: 'Read a web page. Returns its title, text content and url.',
    parameters: {
      type: 'object',
      properties: {
        website_url: { type: 'string' },
        max_content_length: { type: 'integer', minimum: 1, default: DEFAULT_MAX_CONTENT_LENGTH },
      },
      required: ['website_url'],
    },
  },
];

/** The tool list shown to the model. Web tools are offered only when a search provider exists. */
export function toolDefinitions(options: { includeWebTools: boolean }): ToolDefinition[] {
  return TOOL_DEFINITIONS.filter((tool) => options.includeWebTools || !isWebTool(tool.name));
}
