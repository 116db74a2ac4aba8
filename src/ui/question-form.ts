/**
 * The question box with Ask and Stop, and the "Speech only" choice; reports what is asked, when
 * Stop is pressed, and the choice (the element keeps it in its `speech-only` attribute).
 */
import { h } from './dom';

export class QuestionForm {
  readonly input = h('input', {
    type: 'text',
    name: 'question',
    autocomplete: 'off',
    placeholder: 'Open a video, then ask about it',
    'aria-label': 'Question about the video',
    disabled: true,
  });
  private readonly askButton = h('button', { type: 'submit', disabled: true }, 'Ask');
  private readonly stopButton = h('button', { type: 'button', class: 'stop', hidden: true }, 'Stop');
  /** Answers from the speech alone, without downloading or loading the vision model. */
  private readonly speechOnly = h('input', { type: 'checkbox', name: 'speech-only' });
  readonly element = h(
    'form',
    { class: 'ask' },
    this.input,
    this.askButton,
    this.stopButton,
    h('label', { class: 'speech-only', title: 'Answer from the speech alone, without the vision model' }, this.speechOnly, ' Speech only'),
  );

  constructor(handlers: { ask: (text: string) => void; stop: () => void; speechOnly: (on: boolean) => void }) {
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      handlers.ask(this.input.value);
    });
    this.stopButton.addEventListener('click', () => handlers.stop());
    this.speechOnly.addEventListener('change', () => handlers.speechOnly(this.speechOnly.checked));
  }

  /** Shows the "Speech only" choice as the element's attribute has it. */
  showSpeechOnly(on: boolean): void {
    this.speechOnly.checked = on;
  }

  /** Whether a question can be asked, and whether one is being answered (Stop shows instead of Ask). */
  render(askable: boolean, asking: boolean): void {
    this.input.disabled = !askable;
    this.askButton.disabled = !askable || asking;
    this.askButton.hidden = asking;
    this.stopButton.hidden = !asking;
  }
}
