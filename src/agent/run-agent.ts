/**
 * The SAGE loop: one Stage-1 call on the skim frames, then up to ten text-only Stage-2 calls, one
 * tool per step, streamed as events. Nothing the model writes can make it throw: unusable replies,
 * unknown tools, bad arguments and failing tools all become results the model reads next step.
 * The run ends with exactly one terminal event: `answer`, `gave-up` or `error`.
 */
import { AppError, cancelledError, isCancelled, toAppError } from '../core/errors';
import { throwIfAborted, untilAborted } from '../core/cancellation';
import type { AgentEvent, AnswerEvent, AttemptedCall, GaveUpEvent, Step, TokenEvent, ToolResultEvent, WorkEvent } from './events';
import { parseStage1Output, parseStage2Output } from './parse-model-output';
import { OWN_PROMPTS, type ModelPrompt, type PromptStyle, type ToolResultEntry } from './prompts';
import { parseReleasePack, releasePromptStyle } from './release-prompts';
import {
  MAX_STAGE2_STEPS,
  isToolName,
  toolDefinitions,
  type ToolCall,
  type ToolDefinition,
} from '../core/protocol';
import { checkToolArguments, type CheckedToolCall } from './tool-arguments';
import type {
  FrameRef,
  ReasoningModel,
  ToolOutput,
  ToolRegistry,
  ToolRunContext,
  ToolRunner,
  VideoContext,
} from '../core/contracts';

export interface AgentInput<F extends FrameRef = FrameRef> {
  question: string;
  video: VideoContext<F>;
  models: {
    /** Sees the skim frames. */
    stage1: ReasoningModel<F>;
    /** Text only; the Stage-1 model is used when absent. */
    stage2?: ReasoningModel<F>;
  };
  tools: ToolRegistry;
  signal?: AbortSignal;
  /**
   * The Stage-1 `video_context` of an earlier question on this video: shown to Stage 1, and used
   * by Stage 2 when this run's Stage-1 reply cannot be read.
   */
  earlierContext?: string;
}

/** Label prefix for the loop's own messages in the tool history. */
export const SYSTEM_NOTE = 'system_note';
/** Label prefix for calls to names that are no tool at all. */
export const UNKNOWN_TOOL = 'unknown_tool';

export async function* runAgent<F extends FrameRef>(input: AgentInput<F>): AsyncGenerator<AgentEvent, void, undefined> {
  // Our own controller also stops in-flight work when the consumer stops iterating early.
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort();
  input.signal?.addEventListener('abort', forwardAbort, { once: true });
  if (input.signal?.aborted) controller.abort();
  try {
    yield* new AgentRun(input, controller.signal).events();
  } catch (error) {
    const cancelled = controller.signal.aborted || isCancelled(error);
    yield { type: 'error', error: cancelled ? cancelledError() : toAppError(error) };
  } finally {
    input.signal?.removeEventListener('abort', forwardAbort);
    controller.abort();
  }
}

interface HistoryEntry extends ToolResultEvent {
  arguments: Record<string, unknown>;
  /** The loop's own message rather than a tool call. */
  isNote: boolean;
}

type RecordInput = Pick<HistoryEntry, 'step' | 'name' | 'label' | 'arguments' | 'output' | 'isError' | 'isNote'> &
  Partial<Pick<HistoryEntry, 'frames' | 'spans'>>;

class AgentRun<F extends FrameRef> {
  private readonly input: AgentInput<F>;
  private readonly signal: AbortSignal;
  private readonly offered: ToolDefinition[];
  private readonly history: HistoryEntry[] = [];
  private readonly callCounts = new Map<string, number>();
  private lastCall: { label: string; arguments: Record<string, unknown> } | null = null;

  constructor(input: AgentInput<F>, signal: AbortSignal) {
    this.input = input;
    this.signal = signal;
    // Only tools that can run are offered: offline the web tools are absent, and a host page may
    // enable a subset (the widget's `tools` attribute).
    this.offered = toolDefinitions({ includeWebTools: true }).filter((tool) => input.tools[tool.name] !== undefined);
  }

  async *events(): AsyncGenerator<AgentEvent, void, undefined> {
    const { question, video, models } = this.input;
    throwIfAborted(this.signal);

    yield { type: 'stage-started', stage: 1, step: 0 };
    const style = await promptStyleOf(models.stage1);
    throwIfAborted(this.signal);
    const stage1Prompt = style.stage1({
      question,
      videoName: video.name,
      durationSeconds: video.durationSeconds,
      frameTimes: video.skimFrames.map((frame) => frame.timestamp),
      tools: this.offered,
      earlierContext: this.input.earlierContext,
    });
    const stage1 = parseStage1Output(yield* this.generate(models.stage1, 1, 0, stage1Prompt, video.skimFrames));
    let videoContext = this.input.earlierContext ?? '';
    if (!stage1.ok) {
      yield this.note(0, `The first reply could not be used: ${stage1.problem}`, true);
    } else {
      const { final_answer: answer, recommended_tools: tools } = stage1.value;
      videoContext = stage1.value.video_context;
      if (answer !== null && !tools.needed) {
        yield this.answer(answer, stage1.value.query_intent, 0, true);
        return;
      }
      const call = tools.tool_calls[0];
      if (call) yield* this.callTool(0, call);
      else yield this.note(0, noCallNote(answer, false), false);
    }

    const model = models.stage2 ?? models.stage1;
    for (let step = 1; step <= MAX_STAGE2_STEPS; step += 1) {
      throwIfAborted(this.signal);
      yield { type: 'stage-started', stage: 2, step };
      const prompt = style.stage2({
        question,
        videoName: video.name,
        durationSeconds: video.durationSeconds,
        videoContext,
        step,
        lastCall: this.lastCall,
        results: this.history.map(toPromptEntry),
        tools: this.offered,
      });
      const parsed = parseStage2Output(yield* this.generate(model, 2, step, prompt));
      if (!parsed.ok) {
        yield this.note(step, `Your last reply could not be used: ${parsed.problem}`, true);
        continue;
      }
      const { answerable, final_answer: answer, recommended_tools: tools } = parsed.value;
      if (answerable.verdict && answer !== null) {
        yield this.answer(answer, answerable.reasoning, step, false);
        return;
      }
      // At the last step the recommended tool still runs, as the release runs it; no step reads it.
      const call = tools.tool_calls[0];
      if (call) yield* this.callTool(step, call);
      else yield this.note(step, noCallNote(answer, answerable.verdict), false);
    }
    yield this.gaveUp();
  }

  /** Streams one model call as work and token events and returns the whole reply. */
  private async *generate(
    model: ReasoningModel<F>,
    stage: 1 | 2,
    step: Step,
    prompt: ModelPrompt,
    images?: readonly F[],
  ): AsyncGenerator<TokenEvent | WorkEvent, string, undefined> {
    const pending: (TokenEvent | WorkEvent)[] = [];
    let finished = false;
    let wake: (() => void) | undefined;
    const reply = untilAborted(
      new Promise<string>((resolve) => {
        resolve(
          model.generate({
            ...prompt,
            images,
            signal: this.signal,
            onToken: (text) => {
              if (finished) return;
              pending.push({ type: 'token', stage, step, text });
              wake?.();
            },
            onWork: (progress) => {
              if (finished) return;
              pending.push({ type: 'work', stage, step, ...progress });
              wake?.();
            },
          }),
        );
      }),
      this.signal,
    );
    const finish = (): void => {
      finished = true;
      wake?.();
    };
    reply.then(finish, finish);
    for (;;) {
      const event = pending.shift();
      if (event !== undefined) {
        yield event;
      } else if (finished) {
        break;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
    return reply;
  }

  private async *callTool(step: Step, call: ToolCall): AsyncGenerator<AgentEvent, void, undefined> {
    const known = isToolName(call.name) ? call.name : null;
    const label = this.nextLabel(known ?? UNKNOWN_TOOL);
    const checked = known ? checkToolArguments(known, call.arguments, this.argumentContext()) : null;
    const args = checked?.ok ? checked.call.display : call.arguments;
    const repairs = checked?.ok ? checked.call.repairs : [];
    this.lastCall = { label, arguments: args };
    yield { type: 'tool-called', step, name: call.name, label, arguments: args, repairs };

    const base = { step, name: call.name, label, arguments: args, isNote: false };
    // The registry is keyed by tool name, so this runner takes the arguments checked for that name.
    // The checker sees the union of every tool's runner here, and calls the assertion redundant.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const runner = known ? (this.input.tools[known] as ToolRunner<CheckedToolCall['args']> | undefined) : undefined;
    if (!runner) {
      const why = known ? 'is not available here' : 'is not a tool';
      const offered = this.offered.map((tool) => tool.name).join(', ');
      yield this.record({ ...base, output: `Error: "${call.name}" ${why}. Tools you can call: ${offered}.`, isError: true });
      return;
    }
    if (!checked?.ok) {
      const problem = checked?.problem ?? '';
      yield this.record({ ...base, output: `Error: invalid arguments for ${call.name}: ${problem}`, isError: true });
      return;
    }

    const context: ToolRunContext = { signal: this.signal, duration: this.input.video.durationSeconds };
    let output: ToolOutput;
    try {
      const run = new Promise<ToolOutput>((resolve) => resolve(runner.run(checked.call.args, context)));
      output = await untilAborted(run, this.signal);
    } catch (error) {
      if (this.signal.aborted || isCancelled(error)) throw cancelledError();
      yield this.record({ ...base, output: `Error: ${call.name} failed: ${describeFailure(error)}`, isError: true });
      return;
    }
    const notes = repairs.length > 0 ? `Note: ${repairs.join(' ')}\n` : '';
    const window = checked.call.window;
    const spans = output.spans && output.spans.length > 0 ? [...output.spans] : window ? [window] : [];
    yield this.record({
      ...base,
      output: notes + (output.text.trim() === '' ? '(no output)' : output.text),
      isError: false,
      frames: output.frames ? [...output.frames] : [],
      spans,
    });
  }

  private argumentContext(): { duration: number; videoName: string } {
    return { duration: this.input.video.durationSeconds, videoName: this.input.video.name };
  }

  private nextLabel(name: string): string {
    const count = (this.callCounts.get(name) ?? 0) + 1;
    this.callCounts.set(name, count);
    return `${name}_#${count}`;
  }

  private note(step: Step, output: string, isError: boolean): ToolResultEvent {
    this.lastCall = null;
    const label = this.nextLabel(SYSTEM_NOTE);
    return this.record({ step, name: SYSTEM_NOTE, label, arguments: {}, output, isError, isNote: true });
  }

  private record(entry: RecordInput): ToolResultEvent {
    const event: ToolResultEvent = {
      type: 'tool-result',
      step: entry.step,
      name: entry.name,
      label: entry.label,
      output: entry.output,
      isError: entry.isError,
      frames: entry.frames ?? [],
      spans: entry.spans ?? [],
    };
    this.history.push({ ...event, arguments: entry.arguments, isNote: entry.isNote });
    return event;
  }

  private answer(answer: string, reasoning: string, steps: number, singleTurn: boolean): AnswerEvent {
    const evidence = this.history
      .filter((entry) => !entry.isNote && !entry.isError)
      .map(({ label, name, arguments: args, output, frames, spans }) => ({
        label,
        name,
        arguments: args,
        output,
        frames,
        spans,
      }));
    return {
      type: 'answer',
      answer,
      singleTurn,
      steps,
      reasoning,
      evidence,
      spans: evidence.flatMap((item) => item.spans),
    };
  }

  private gaveUp(): GaveUpEvent {
    const tried: AttemptedCall[] = this.history
      .filter((entry) => !entry.isNote)
      .map(({ step, name, label, arguments: args, isError }) => ({ step, name, label, arguments: args, isError }));
    const summary = tried.length > 0 ? ` Tried: ${tried.map((call) => call.label).join(', ')}.` : ' No tool was run.';
    return {
      type: 'gave-up',
      message: `Could not produce an answer after ${MAX_STAGE2_STEPS} steps.${summary}`,
      steps: MAX_STAGE2_STEPS,
      tried,
    };
  }
}

/**
 * The release's prompts when the Stage-1 model's files carry them (a SAGE-MM export), else ours.
 * Asking loads the model; a model that cannot load ends the run here, as its first call would.
 */
async function promptStyleOf(model: ReasoningModel<FrameRef>): Promise<PromptStyle> {
  const pack = parseReleasePack(await model.promptPack?.());
  return pack ? releasePromptStyle(pack) : OWN_PROMPTS;
}

function toPromptEntry(entry: HistoryEntry): ToolResultEntry {
  return entry.isNote
    ? { label: entry.label, output: entry.output }
    : { label: entry.label, output: entry.output, arguments: entry.arguments };
}

/** Why a step that neither answered nor called a tool did not end the run, and what to do instead. */
function noCallNote(answer: string | null, saidAnswerable: boolean): string {
  if (answer !== null) {
    return `The last reply gave final_answer ${JSON.stringify(answer)} but did not mark it final, and called no tool. To finish, give it again with answerable.verdict true; otherwise call a tool.`;
  }
  if (saidAnswerable) {
    return 'The last reply said the question is answerable but gave no final_answer, and called no tool. Give the final_answer, or call a tool.';
  }
  return 'The last reply gave neither a final answer nor a tool call. Give a final answer, or call a tool.';
}

function describeFailure(error: unknown): string {
  if (error instanceof AppError) return error.detail ? `${error.message} (${error.detail})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
