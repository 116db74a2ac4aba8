/** One question and everything the agent did for it, rendered as its events arrive. */
import type { AgentEvent, AnswerEvent, ToolResultEvent } from '../agent/events';
import type { AppError } from '../core/errors';
import { h, linkedText, timeButton } from './dom';
import { describeStage, describeToolCall, describeWork } from './step-text';
import { thumbnailStrip, type FrameLookup } from './thumbnails';

/** Tool outputs longer than this many lines are folded behind "Show all". */
const VISIBLE_OUTPUT_LINES = 6;

export interface RunContext {
  duration: number;
  skimFrames: number;
  frames: FrameLookup;
}

/**
 * State in: the run's events, one `add` at a time (each may return a line worth announcing), and
 * `notice`s from outside them. Timestamps and evidence are `[data-seek]` buttons, which the element
 * handles; an answer from the speech alone offers "Retry with vision", which dispatches a bubbling
 * `sage-retry-vision` event with the question.
 */
export class RunView {
  readonly element: HTMLLIElement;
  private readonly steps = h('ol', { class: 'steps' });
  private readonly outcome = h('div', { class: 'outcome' });
  /** The model's streamed text for the current stage, and the step item of each tool call by label. */
  private tokens: HTMLPreElement | null = null;
  /** The current stage's step before its first token: what the model is working through. */
  private work: HTMLParagraphElement | null = null;
  private readonly calls = new Map<string, HTMLLIElement>();

  constructor(
    private readonly question: string,
    private readonly context: RunContext,
  ) {
    this.element = h('li', { class: 'turn' }, h('p', { class: 'question' }, question), this.steps, this.outcome);
  }

  /** Adds an event; returns a one-line summary for the status region when it is worth announcing. */
  add(event: AgentEvent): string | null {
    switch (event.type) {
      case 'stage-started': {
        const label = describeStage(event.stage, event.step, this.context.skimFrames);
        this.tokens = h('pre', { class: 'tokens' });
        this.work = h('p', { class: 'note work', hidden: true });
        this.steps.append(
          h(
            'li',
            { class: 'step stage' },
            h('span', { class: 'step-title' }, label),
            this.work,
            h('details', { class: 'thoughts' }, h('summary', {}, 'Model output'), this.tokens),
          ),
        );
        return label;
      }
      case 'work':
        if (this.work) {
          this.work.textContent = describeWork(event);
          this.work.hidden = false;
        }
        return null;
      case 'token':
        this.work?.remove();
        this.work = null;
        this.tokens?.append(event.text);
        return null;
      case 'tool-called': {
        const label = describeToolCall(event.name, event.arguments);
        const item = h('li', { class: 'step tool', 'data-tool': event.name }, h('span', { class: 'step-title' }, linkedText(label, this.context.duration)));
        if (event.repairs.length > 0) item.append(h('p', { class: 'note' }, `Adjusted: ${event.repairs.join(' ')}`));
        this.calls.set(event.label, item);
        this.steps.append(item);
        return label;
      }
      case 'tool-result':
        this.result(event);
        return null;
      case 'answer':
        this.answer(event);
        return 'Answer ready.';
      case 'gave-up':
        this.outcome.append(h('p', { class: 'gave-up' }, event.message));
        return event.message;
      case 'error':
        return this.error(event.error);
    }
  }

  /** A line between the steps about how the run is going, e.g. a model that was swapped. */
  notice(text: string): void {
    this.steps.append(h('li', { class: 'step note' }, h('p', { class: 'note' }, text)));
  }

  private result(event: ToolResultEvent): void {
    const target = this.calls.get(event.label);
    const body = h('div', { class: event.isError ? 'result error-text' : 'result' });
    if (event.frames.length > 0) body.append(thumbnailStrip(event.frames, this.context.frames));
    const lines = event.output.split('\n');
    const shown = h('p', { class: 'output' }, linkedText(lines.slice(0, VISIBLE_OUTPUT_LINES).join('\n'), this.context.duration));
    body.append(shown);
    if (lines.length > VISIBLE_OUTPUT_LINES) {
      body.append(
        h(
          'details',
          { class: 'more' },
          h('summary', {}, `Show all ${lines.length} lines`),
          h('p', { class: 'output' }, linkedText(lines.slice(VISIBLE_OUTPUT_LINES).join('\n'), this.context.duration)),
        ),
      );
    }
    if (target && event.name !== 'system_note') target.append(body);
    else this.steps.append(h('li', { class: 'step note' }, body));
  }

  private answer(event: AnswerEvent): void {
    const answer = h('div', { class: 'answer', role: 'group', 'aria-label': 'Answer' }, h('p', { class: 'answer-text' }, linkedText(event.answer, this.context.duration)));
    if (event.evidence.length > 0) {
      const list = h('ul', { class: 'evidence' });
      for (const item of event.evidence) {
        const spans = item.spans.slice(0, 12).flatMap((span) => [' ', timeButton(span.start, span.end)]);
        list.append(h('li', {}, h('span', { class: 'evidence-label' }, describeToolCall(item.name, item.arguments)), ...spans));
        if (item.frames.length > 0) list.append(h('li', {}, thumbnailStrip(item.frames, this.context.frames)));
      }
      answer.append(h('p', { class: 'based-on' }, 'Based on:'), list);
    } else if (!event.speechOnly) {
      answer.append(h('p', { class: 'based-on' }, event.singleTurn ? 'Answered from the skim of the whole video.' : 'No tool result was needed.'));
    }
    if (event.speechOnly) {
      const retry = h('button', { type: 'button', class: 'retry-vision' }, 'Retry with vision');
      retry.addEventListener('click', () => {
        retry.dispatchEvent(new CustomEvent('sage-retry-vision', { bubbles: true, composed: true, detail: { question: this.question } }));
      });
      answer.append(h('p', { class: 'based-on' }, 'Based on the speech only. ', retry));
    }
    this.outcome.append(answer);
  }

  private error(error: AppError): string {
    if (error.code === 'cancelled') {
      this.outcome.append(h('p', { class: 'stopped' }, 'Stopped.'));
      return 'Stopped.';
    }
    const hint =
      error.code === 'model-load-failed'
        ? ' You can still play the video and use the transcript panel; choose another model under “Models and device”.'
        : '';
    this.outcome.append(h('p', { class: 'error-text', role: 'alert' }, error.message + hint));
    return error.message;
  }
}
