/** The question box with Ask and Stop; reports what is asked and when Stop is pressed. */
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
  readonly element = h('form', { class: 'ask' }, this.input, this.askButton, this.stopButton);

  constructor(handlers: { ask: (text: string) => void; stop: () => void }) {
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      handlers.ask(this.input.value);
    });
    this.stopButton.addEventListener('click', () => handlers.stop());
  }

  /** Whether a question can be asked, and whether one is being answered (Stop shows instead of Ask). */
  render(askable: boolean, asking: boolean): void {
    this.input.disabled = !askable;
    this.askButton.disabled = !askable || asking;
    this.askButton.hidden = asking;
    this.stopButton.hidden = !asking;
  }
}
