/**
 * Reads the Stage-1 and Stage-2 JSON objects out of raw model text. Finds the `<json>` block (or a
 * lone JSON object, fenced or not), repairs it, then validates it by hand. Never throws: a reply
 * that cannot be used yields a `problem` sentence written for the model, so it can fix its output.
 */
import { repairJson } from './json-repair';
import type { RecommendedTools, Stage1Output, Stage2Output, ToolCall } from '../core/protocol';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseStage1Output(text: string): ParseResult<Stage1Output> {
  return parseWith(text, stage1Of);
}

export function parseStage2Output(text: string): ParseResult<Stage2Output> {
  return parseWith(text, stage2Of);
}

function parseWith<T>(text: string, validate: (value: unknown) => ParseResult<T>): ParseResult<T> {
  let firstProblem: string | undefined;
  for (const candidate of jsonCandidates(text)) {
    const parsed = parseLenient(candidate);
    const result = parsed.ok ? validate(unwrapSingleton(parsed.value)) : parsed;
    if (result.ok) return result;
    firstProblem ??= result.problem;
  }
  return {
    ok: false,
    problem: firstProblem ?? 'Your reply contained no JSON object; put exactly one JSON object between <json> and </json>.',
  };
}

/**
 * Places the answer may be, most likely first: `<json>` blocks (the last one first, since a model
 * that restates itself usually means the later one), then top-level objects anywhere in the text.
 * Reasoning inside `<think>` is skipped: it often holds drafts.
 */
function jsonCandidates(text: string): string[] {
  const visible = text.replace(/<think>[\s\S]*?<\/think>/gi, '');
  const tagged = [...visible.matchAll(/<json>([\s\S]*?)(?:<\/json>|$)/gi)]
    .map((match) => match[1] ?? '')
    .reverse()
    .flatMap((block) => {
      const start = block.search(/[{[]/);
      return start === -1 ? [] : [block.slice(start)];
    });
  return [...tagged, ...topLevelObjects(visible).reverse()];
}

/** Each `{...}` at depth 0, skipping braces inside double-quoted strings; an unclosed one runs to the end. */
function topLevelObjects(text: string): string[] {
  const objects: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"' && depth > 0) {
      inString = true;
    } else if (char === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (char === '}' && depth > 0) {
      depth -= 1;
      if (depth === 0) objects.push(text.slice(start, i + 1));
    }
  }
  if (depth > 0) objects.push(text.slice(start));
  return objects;
}

/** Some models wrap the object in a one-element list. */
function unwrapSingleton(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function parseLenient(candidate: string): ParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(candidate) };
  } catch {
    // Fall through to the repaired text.
  }
  try {
    return { ok: true, value: JSON.parse(repairJson(candidate)) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problem: `Your JSON could not be read (${reason}); write one valid JSON object between <json> and </json>, with double-quoted keys and strings.`,
    };
  }
}

// ---- Validation ----

function stage1Of(value: unknown): ParseResult<Stage1Output> {
  if (!isRecord(value)) {
    return fail('The JSON must be an object with the fields video_context, query_intent, final_answer and recommended_tools.');
  }
  const finalAnswer = answerOf(value.final_answer);
  if (!finalAnswer.ok) return finalAnswer;
  const tools = recommendedToolsOf(value.recommended_tools);
  if (!tools.ok) return tools;
  return {
    ok: true,
    value: {
      video_context: textOf(value.video_context),
      query_intent: textOf(value.query_intent),
      final_answer: finalAnswer.value,
      recommended_tools: tools.value,
    },
  };
}

function stage2Of(value: unknown): ParseResult<Stage2Output> {
  if (!isRecord(value)) {
    return fail('The JSON must be an object with the fields answerable, final_answer and recommended_tools.');
  }
  const answerable = answerableOf(value.answerable);
  if (!answerable.ok) return answerable;
  const finalAnswer = answerOf(value.final_answer);
  if (!finalAnswer.ok) return finalAnswer;
  const tools = recommendedToolsOf(value.recommended_tools);
  if (!tools.ok) return tools;
  return {
    ok: true,
    value: { answerable: answerable.value, final_answer: finalAnswer.value, recommended_tools: tools.value },
  };
}

function answerableOf(value: unknown): ParseResult<Stage2Output['answerable']> {
  const shape = 'answerable must be an object {"verdict": true or false, "reasoning": "..."}.';
  // A bare boolean carries the verdict, which is all the loop needs.
  const bare = booleanOf(value);
  if (bare !== null) return { ok: true, value: { verdict: bare, reasoning: '' } };
  if (!isRecord(value)) return fail(value === undefined ? `answerable is missing; ${shape}` : shape);
  const verdict = booleanOf(value.verdict);
  if (verdict === null) return fail(`answerable.verdict must be true or false; ${shape}`);
  return { ok: true, value: { verdict, reasoning: textOf(value.reasoning) } };
}

function answerOf(value: unknown): ParseResult<string | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
  if (typeof value === 'string') {
    const answer = value.trim();
    return { ok: true, value: answer === '' || /^(null|none)$/i.test(answer) ? null : answer };
  }
  return fail('final_answer must be a short text answer, or null when you cannot answer yet.');
}

function recommendedToolsOf(value: unknown): ParseResult<RecommendedTools> {
  if (value === undefined || value === null) {
    return { ok: true, value: { needed: false, why_no_tool: '', tool_calls: [] } };
  }
  if (!isRecord(value)) {
    return fail('recommended_tools must be an object {"needed": true or false, "why_no_tool": "...", "tool_calls": [...]}.');
  }
  const rawCalls = value.tool_calls ?? [];
  const list = isRecord(rawCalls) ? [rawCalls] : rawCalls;
  if (!Array.isArray(list)) {
    return fail('recommended_tools.tool_calls must be a list of {"rationale": "...", "name": "...", "arguments": {...}}.');
  }
  const calls: ToolCall[] = [];
  for (const [index, item] of list.entries()) {
    const call = toolCallOf(item, index);
    // Only the first call runs, so only a broken first call is worth a retry.
    if (call.ok) calls.push(call.value);
    else if (index === 0) return call;
  }
  const needed = value.needed === undefined ? calls.length > 0 : booleanOf(value.needed);
  if (needed === null) return fail('recommended_tools.needed must be true or false.');
  // Released SAGE-MM replies sometimes spell it why_no_tool_calls.
  return { ok: true, value: { needed, why_no_tool: textOf(value.why_no_tool ?? value.why_no_tool_calls), tool_calls: calls } };
}

function toolCallOf(value: unknown, index: number): ParseResult<ToolCall> {
  const where = `recommended_tools.tool_calls[${index}]`;
  if (!isRecord(value)) return fail(`${where} must be an object {"rationale": "...", "name": "...", "arguments": {...}}.`);
  if (typeof value.name !== 'string' || value.name.trim() === '') {
    return fail(`${where}.name must be the name of one of the tools.`);
  }
  const args = argumentsOf(value.arguments);
  if (args === null) return fail(`${where}.arguments must be an object mapping argument names to values.`);
  return { ok: true, value: { rationale: textOf(value.rationale), name: value.name.trim().toLowerCase(), arguments: args } };
}

function argumentsOf(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return {};
  if (isRecord(value)) return value;
  // Function-calling habits: arguments as a JSON string.
  if (typeof value === 'string') {
    const parsed = parseLenient(value);
    if (parsed.ok && isRecord(parsed.value)) return parsed.value;
  }
  return null;
}

function booleanOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === 'true' || word === 'yes') return true;
    if (word === 'false' || word === 'no') return false;
  }
  return null;
}

/** Free-text fields: a missing one is empty, a structured one is kept as JSON rather than dropped. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value.trim() : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}
