/** Test doubles for the agent loop: a model that replays scripted replies and tools that record calls. */
import { runAgent, type AgentInput } from '../../../src/agent/run-agent';
import type { AgentEvent } from '../../../src/agent/events';
import type { ToolName } from '../../../src/core/protocol';
import type {
  FrameRef,
  GenerateRequest,
  ReasoningModel,
  ToolArguments,
  ToolOutput,
  ToolRegistry,
  ToolRunContext,
  VideoContext,
} from '../../../src/core/contracts';

type Reply = string | ((request: GenerateRequest) => Promise<string>);

/** Replays replies in order, streaming each in small pieces through `onToken`. */
export class ScriptedModel implements ReasoningModel {
  readonly requests: GenerateRequest[] = [];
  private readonly replies: Reply[];

  constructor(replies: Reply[]) {
    this.replies = [...replies];
  }

  async generate(request: GenerateRequest): Promise<string> {
    this.requests.push(request);
    const reply = this.replies.shift();
    if (reply === undefined) throw new Error(`ScriptedModel ran out of replies at call ${this.requests.length}`);
    const text = typeof reply === 'string' ? reply : await reply(request);
    for (const piece of text.match(/[\s\S]{1,24}/g) ?? []) request.onToken?.(piece);
    return text;
  }
}

/** A model that always gives the same reply, however often it is asked. */
export class RepeatingModel implements ReasoningModel {
  readonly requests: GenerateRequest[] = [];
  private readonly reply: string;

  constructor(reply: string) {
    this.reply = reply;
  }

  async generate(request: GenerateRequest): Promise<string> {
    this.requests.push(request);
    return this.reply;
  }
}

export interface RecordedCall {
  name: ToolName;
  args: unknown;
  context: ToolRunContext;
}

export type ToolBehaviour = {
  [N in ToolName]?: (args: ToolArguments[N], context: ToolRunContext) => Promise<ToolOutput>;
};

/** A registry of the given tools; each call is recorded before the behaviour runs. */
export function recordingTools(behaviours: ToolBehaviour): { tools: ToolRegistry; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const tools: ToolRegistry = {};
  const register = <N extends ToolName>(name: N): void => {
    const behaviour = behaviours[name];
    if (!behaviour) return;
    (tools as Record<string, unknown>)[name] = {
      run: (args: ToolArguments[N], context: ToolRunContext) => {
        calls.push({ name, args, context });
        return behaviour(args, context);
      },
    };
  };
  for (const name of Object.keys(behaviours) as ToolName[]) register(name);
  return { tools, calls };
}

/** Every offline tool, each answering with a recognisable text. */
export function offlineTools(): { tools: ToolRegistry; calls: RecordedCall[] } {
  return recordingTools({
    verbal_transcript: async (args) => ({
      text: `transcript ${args.timestamp_start}-${args.timestamp_end}: "add two eggs"`,
      spans: [{ start: args.timestamp_start + 5, end: args.timestamp_start + 8 }],
    }),
    identify_timestamps_visually: async () => ({ text: 'timestamps: {"start": "00:12:10", "end": "00:12:20"}', spans: [{ start: 730, end: 740 }] }),
    extract_parts_from_timestamp: async (args) => ({
      text: 'media_paths: ["frame-1", "frame-2"]',
      frames: [
        { id: 'frame-1', timestamp: args.timestamp_start },
        { id: 'frame-2', timestamp: args.timestamp_end },
      ],
    }),
    perform_reasoning: async () => ({ text: 'answer: the chef cracks two eggs' }),
  });
}

export function makeVideo(durationSeconds = 1800, name = 'cooking.mp4'): VideoContext {
  const count = Math.min(128, Math.ceil(durationSeconds));
  const skimFrames: FrameRef[] = Array.from({ length: count }, (_, i) => ({
    id: `skim-${i}`,
    timestamp: (i * durationSeconds) / count,
  }));
  return { name, durationSeconds, skimFrames };
}

// ---- Scripted replies in the protocol's shapes ----

const CONTEXT = 'A cooking show: a chef in a kitchen prepares a cake.';

export function stage1Answer(answer: string): string {
  return `<json>${JSON.stringify({
    video_context: CONTEXT,
    query_intent: 'What is being cooked.',
    final_answer: answer,
    recommended_tools: { needed: false, why_no_tool: 'The frames show it.', tool_calls: [] },
  })}</json>`;
}

export function stage1Call(name: string, args: Record<string, unknown>): string {
  return `<json>${JSON.stringify({
    video_context: CONTEXT,
    query_intent: 'How many eggs go in.',
    final_answer: null,
    recommended_tools: { needed: true, why_no_tool: '', tool_calls: [{ rationale: 'check', name, arguments: args }] },
  })}</json>`;
}

export function stage2Call(name: string, args: Record<string, unknown>): string {
  return `<json>${JSON.stringify({
    answerable: { verdict: false, reasoning: 'Not yet.' },
    final_answer: null,
    recommended_tools: { needed: true, why_no_tool: '', tool_calls: [{ rationale: 'look', name, arguments: args }] },
  })}</json>`;
}

export function stage2Answer(answer: string, reasoning = 'The transcript says so.'): string {
  return `<json>${JSON.stringify({
    answerable: { verdict: true, reasoning },
    final_answer: answer,
    recommended_tools: { needed: false, why_no_tool: 'Answered.', tool_calls: [] },
  })}</json>`;
}

export function stage2Nothing(): string {
  return `<json>${JSON.stringify({
    answerable: { verdict: false, reasoning: 'Unsure.' },
    final_answer: null,
    recommended_tools: { needed: false, why_no_tool: '', tool_calls: [] },
  })}</json>`;
}

export async function collect(input: AgentInput): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of runAgent(input)) events.push(event);
  return events;
}

export function ofType<T extends AgentEvent['type']>(events: AgentEvent[], type: T): Extract<AgentEvent, { type: T }>[] {
  return events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
}

export function lastEvent(events: AgentEvent[]): AgentEvent {
  const last = events[events.length - 1];
  if (!last) throw new Error('no events');
  return last;
}
