/**
 * The questions asked about the open video and their runs, newest last, and a polite live region
 * that reads out each finished answer (the status line, a live region too, says the steps).
 */
import type { AgentEvent } from '../agent/events';
import { isCancelled } from '../core/errors';
import type { RunStart } from '../workspace/workspace-state';
import { h } from './dom';
import { RunView } from './run-view';

const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

export class Conversation {
  readonly log = h('ol', { class: 'log', 'aria-label': 'Questions and answers' });
  /** Visually hidden; what it is given is read out once the reader is idle. */
  readonly announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  /** The run view of the question being answered, for its events and notices. */
  private running: RunView | null = null;

  start(run: RunStart): void {
    this.running = new RunView(run.question, { duration: run.duration, skimFrames: run.skimFrames, frames: run.frames });
    this.log.append(this.running.element);
    this.announcer.textContent = '';
  }

  /**
   * Adds an event of the running question. Returns what the status line should say: a step worth
   * announcing, '' after a failure (said once, in the run, where the question was asked), or null
   * to leave it as it is.
   */
  add(event: AgentEvent): string | null {
    const view = this.running;
    if (!view) return null;
    const line = view.add(event);
    view.element.scrollIntoView({ block: 'end', behavior: reducedMotion() ? 'auto' : 'smooth' });
    if (event.type === 'answer') this.announcer.textContent = `Answer: ${event.answer}`;
    if (event.type === 'error' && !isCancelled(event.error)) return '';
    return line;
  }

  notice(text: string): void {
    this.running?.notice(text);
  }

  /** The question has ended: notices after it go to the status line only. */
  end(): void {
    this.running = null;
  }

  clear(): void {
    this.running = null;
    this.log.replaceChildren();
    this.announcer.textContent = '';
  }
}
