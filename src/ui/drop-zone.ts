/** The file picker, and drops of a file anywhere on the element. */
import { h } from './dom';

export class DropZone {
  private readonly fileInput = h('input', { type: 'file', accept: 'video/*,audio/*', class: 'file' });
  readonly element = h('label', { class: 'drop' }, this.fileInput, h('span', {}, 'Drop a video here, or ', h('u', {}, 'choose one')));

  /** Listens for drops on `target` (the whole element) and for the picker's choice. */
  constructor(target: HTMLElement, open: (file: File) => void) {
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) open(file);
      this.fileInput.value = '';
    });
    target.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.element.classList.add('dragging');
    });
    target.addEventListener('dragleave', () => this.element.classList.remove('dragging'));
    target.addEventListener('drop', (event) => {
      event.preventDefault();
      this.element.classList.remove('dragging');
      const file = event.dataTransfer?.files[0];
      if (file) open(file);
    });
  }
}
