/**
 * The two prompts of a SAGE run, in our own words (release-prompts.ts has the release's, used when
 * a model carries them). Stage 1 sees the skim frames (a video for Qwen2.5-VL-family models,
 * pictures for others); Stage 2 is text only and rebuilt from scratch at every step.
 */
import { formatTimestamp } from '../core/time';
import { MAX_STAGE2_STEPS, MAX_TOOL_RESULTS_IN_CONTEXT, type JsonSchema, type ToolDefinition } from '../core/protocol';

/** A prompt as a chat: an optional system message and the user turn. */
export interface ModelPrompt {
  system?: string;
  prompt: string;
}

/** How Stage 1 and Stage 2 are worded: ours (below), or the release's (release-prompts.ts). */
export interface PromptStyle {
  stage1(input: Stage1PromptInput): ModelPrompt;
  stage2(input: Stage2PromptInput): ModelPrompt;
}

export const OWN_PROMPTS: PromptStyle = {
  stage1: (input) => ({ prompt: buildStage1Prompt(input) }),
  stage2: (input) => ({ prompt: buildStage2Prompt(input) }),
};

/** M: the metadata line. */
export function metadataLine(videoName: string, durationSeconds: number): string {
  return `Video: ${JSON.stringify(videoName)}, duration ${formatTimestamp(durationSeconds)}.`;
}

export interface Stage1PromptInput {
  question: string;
  videoName: string;
  durationSeconds: number;
  /** Timestamps of the skim frames, in the order the images are given. */
  frameTimes: readonly number[];
  tools: readonly ToolDefinition[];
  /** The `video_context` an earlier question's Stage 1 wrote, for follow-up questions. */
  earlierContext?: string;
}

export function buildStage1Prompt(input: Stage1PromptInput): string {
  const frames =
    input.frameTimes.length === 0
      ? 'No frames of the video are attached.'
      : `You see the video as ${input.frameTimes.length} low-resolution frames skimmed from the whole of it, in time order, taken at: ${input.frameTimes.map(formatTimestamp).join(', ')}.`;
  return [
    'You answer questions about a video.',
    frames,
    metadataLine(input.videoName, input.durationSeconds),
    ...(input.earlierContext ? [`What an earlier look at this video found: ${input.earlierContext}`] : []),
    `Tools you can call, as JSON function schemas:\n${JSON.stringify(input.tools)}`,
    `Question: ${input.question}`,
    'First decide whether the frames are enough to answer. If they are, give final_answer and set ' +
      'recommended_tools.needed to false. If not, set final_answer to null, set needed to true and list ' +
      'tool_calls, most useful first; only the first one is run. ' +
      callRules(input.videoName),
    'Reply with one JSON object between <json> and </json>, with these fields:\n' +
      '- video_context: what the video shows, in words (it is all later steps will know of the frames)\n' +
      '- query_intent: what the user wants to know\n' +
      '- final_answer: a short answer, or null\n' +
      `- recommended_tools: ${RECOMMENDED_TOOLS_SHAPE}`,
  ].join('\n\n');
}

/** One entry of the tool history as the model sees it. */
export interface ToolResultEntry {
  label: string;
  output: string;
  /** Arguments of the call, in protocol form; absent for the loop's own notes. */
  arguments?: Record<string, unknown>;
}

export interface Stage2PromptInput {
  question: string;
  videoName: string;
  durationSeconds: number;
  /** The Stage-1 `video_context`. */
  videoContext: string;
  /** Which Stage-2 call this is, from 1. */
  step: number;
  /** The call made in the previous step, or null when it ran none. */
  lastCall: { label: string; arguments: Record<string, unknown> } | null;
  /** Every result so far, oldest first; only the most recent ones are shown. */
  results: readonly ToolResultEntry[];
  tools: readonly ToolDefinition[];
}

export function buildStage2Prompt(input: Stage2PromptInput): string {
  const shown = input.results.slice(-MAX_TOOL_RESULTS_IN_CONTEXT);
  const hidden = input.results.length - shown.length;
  const lastCall = input.lastCall
    ? `The last step called ${input.lastCall.label} with ${JSON.stringify(input.lastCall.arguments)}.`
    : 'The last step called no tool.';
  const heading =
    'Tool results so far, oldest first; <tool>_#k is the k-th call of that tool' +
    (hidden > 0 ? ` (${hidden} older result${hidden === 1 ? '' : 's'} left out):` : ':');
  const history =
    shown.length === 0
      ? 'No tool results yet.'
      : `${heading}\n${shown.map(formatResult).join('\n\n')}`;
  return [
    `You answer a question about a video step by step, one tool call per step. This is step ${input.step} of at most ${MAX_STAGE2_STEPS}.`,
    metadataLine(input.videoName, input.durationSeconds),
    `What the video shows, from a first skim: ${input.videoContext || '(no description available)'}`,
    `Question: ${input.question}`,
    lastCall,
    history,
    `Tools you can call:\n${input.tools.map(toolSignature).join('\n')}`,
    'If what you know is enough, set answerable.verdict to true and give final_answer. Otherwise set ' +
      'verdict to false and final_answer to null, and give the next tool call; only the first call is ' +
      'run; do not repeat a call that already ran. ' +
      callRules(input.videoName),
    'Reply with one JSON object between <json> and </json>, with these fields:\n' +
      '- answerable: {"verdict": true or false, "reasoning": "why the results do or do not answer the question"}\n' +
      '- final_answer: a short answer, or null\n' +
      `- recommended_tools: ${RECOMMENDED_TOOLS_SHAPE}`,
  ].join('\n\n');
}

const RECOMMENDED_TOOLS_SHAPE =
  '{"needed": true or false, "why_no_tool": "...", "tool_calls": [{"rationale": "...", "name": "...", "arguments": {...}}]}';

function callRules(videoName: string): string {
  return `Write times as HH:MM:SS and use ${JSON.stringify(videoName)} as video_path.`;
}

function formatResult(entry: ToolResultEntry): string {
  const args = entry.arguments ? ` ${JSON.stringify(entry.arguments)}` : '';
  return `[${entry.label}]${args}\n${entry.output}`;
}

/** One line per tool: Stage 2 runs up to ten times, so its prompt stays short; names are what matter. */
function toolSignature(tool: ToolDefinition): string {
  const properties: Record<string, JsonSchema> = tool.parameters.properties ?? {};
  const required = tool.parameters.required ?? [];
  const params = Object.keys(properties).map((name) => (required.includes(name) ? name : `${name}?`));
  return `- ${tool.name}(${params.join(', ')}): ${tool.description}`;
}
