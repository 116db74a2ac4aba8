/**
 * Stage-1 and Stage-2 prompts in the SAGE release's structure, filled from the prompt pack an
 * export carries (`sage_prompts.json`, written by models/export from a checkout of the release;
 * none of the release's text is in this repository). What the release sends, and so this:
 *
 * - Stage 1: a system message (the Stage-1 template, its tools slot holding one JSON function
 *   schema per line between <tools> and </tools>), and a user message with the question, a newline
 *   and "Video Path: <name> of duration <HH:MM:SS>.";
 * - Stage 2: the Stage-2 template as system message, and the message template filled with the call
 *   of the previous step ("<tool>_#k with arguments <Python dict>"), the Stage-1 context, the
 *   query, the same video line, and one "<tool>_#k output: <Python value>" line per result (the
 *   loop's own notes as `None_#k`, as the release labels its "no tool call" entries).
 */
import { formatTimestampFloor } from '../core/time';
import { MAX_TOOL_RESULTS_IN_CONTEXT, type ToolDefinition } from '../core/protocol';
import type { ModelPrompt, PromptStyle, Stage1PromptInput, Stage2PromptInput, ToolResultEntry } from './prompts';

export interface ReleaseToolSchema {
  name: string;
  description: string;
  parameters: unknown;
}

export interface ReleasePromptPack {
  format: 1;
  stage1_system: string;
  stage2_system: string;
  stage2_user: string;
  tools: ReleaseToolSchema[];
}

/** The pack, when `value` is one this app can fill; anything else means "use our own prompts". */
export function parseReleasePack(value: unknown): ReleasePromptPack | null {
  if (typeof value !== 'object' || value === null) return null;
  const pack = value as Record<string, unknown>;
  const texts = ['stage1_system', 'stage2_system', 'stage2_user'] as const;
  if (pack.format !== 1 || !texts.every((key) => typeof pack[key] === 'string') || !Array.isArray(pack.tools)) return null;
  const tools = pack.tools.filter(
    (tool): tool is ReleaseToolSchema =>
      typeof tool === 'object' && tool !== null && typeof (tool as ReleaseToolSchema).name === 'string',
  );
  return {
    format: 1,
    stage1_system: pack.stage1_system as string,
    stage2_system: pack.stage2_system as string,
    stage2_user: pack.stage2_user as string,
    tools,
  };
}

export function releasePromptStyle(pack: ReleasePromptPack): PromptStyle {
  return {
    stage1(input: Stage1PromptInput): ModelPrompt {
      return {
        system: fill(pack.stage1_system, { tools: toolsBlock(pack, input.tools) }),
        prompt: `${input.question}\n${videoLine(input.videoName, input.durationSeconds)}`,
      };
    },
    stage2(input: Stage2PromptInput): ModelPrompt {
      const shown = input.results.slice(-MAX_TOOL_RESULTS_IN_CONTEXT);
      const previous = input.lastCall ? `${input.lastCall.label} with arguments ${pythonRepr(input.lastCall.arguments)}\n` : 'None';
      return {
        system: fill(pack.stage2_system, { tools: toolsBlock(pack, input.tools) }),
        prompt: fill(pack.stage2_user, {
          previous_tool_call: previous,
          visual_context: input.videoContext,
          query: input.question,
          video_info: videoLine(input.videoName, input.durationSeconds),
          tools_so_far: shown.map((entry) => `${releaseLabel(entry)} output: ${pythonRepr(entry.output)}\n`).join(''),
        }),
      };
    },
  };
}

/** The loop's own notes are `None_#k` entries in the release's history (its "no tool call" results). */
function releaseLabel(entry: ToolResultEntry): string {
  return entry.arguments === undefined ? entry.label.replace(/^system_note_#/, 'None_#') : entry.label;
}

function videoLine(name: string, durationSeconds: number): string {
  return `Video Path: ${name} of duration ${formatTimestampFloor(durationSeconds)}.`;
}

/** The tools this run offers, described as the release describes them, in the pack's order. */
function toolsBlock(pack: ReleasePromptPack, offered: readonly ToolDefinition[]): string {
  const names = new Set(offered.map((tool) => tool.name));
  const lines = pack.tools.filter((tool) => names.has(tool.name as ToolDefinition['name'])).map((tool) => pythonJson({ type: 'function', function: tool }));
  return `<tools>\n${lines.join('\n')}\n</tools>`;
}

function fill(template: string, slots: Record<string, string>): string {
  return template.replace(/<<<([a-z_]+)>>>/g, (whole, name: string) => slots[name] ?? whole);
}

/** Python's json.dumps(value, ensure_ascii=False): ", " and ": " between items. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Python's repr() of JSON-like values, as the release prints arguments and results into prompts. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${pythonString(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  }
  // Functions and symbols have no JSON form, so no Python one either.
  return typeof value === 'bigint' ? value.toString() : 'None';
}

function pythonString(text: string): string {
  // repr() picks single quotes unless the text has one and no double quote.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const char of text) {
    if (char === '\\') out += '\\\\';
    else if (char === quote) out += `\\${quote}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) out += `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return quote + out + quote;
}
