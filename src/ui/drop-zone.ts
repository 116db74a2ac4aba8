/**
 * The file picker, and drops of a file anywhere on the element. A wide drop zone while nothing is
 * open; a button once a video is, so the player gets the room (dropping anywhere still works).
 */
import { h } from './dom';

export class DropZone {
  private readonly fileInput = h('input', { type: 'file', accept: 'video/*,audio/*', class: 'file' });
  private readonly text = h('span', {});
  readonly element = h('label', { class: 'drop' }, this.fileInput, this.text);

  /** Listens for drops on `target` (the whole element) and for the picker's choice. */
  constructor(target: HTMLElement, open: (file: File) => void) {
    this.compact(false);
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) open(file);
      this.fileInput.value = '';
    });
    target.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.element.classList.add('dragging');
    });
    const leave = () => this.element.classList.remove('dragging');
    target.addEventListener('dragleave', leave);
    target.addEventListener('drop', (event) => {
      event.preventDefault();
      leave();
      const file = event.dataTransfer?.files[0];
      if (file) open(file);
    });
  }

  /** A button ("Open another video") instead of the wide zone. */
  compact(on: boolean): void {
    this.element.classList.toggle('compact', on);
    this.text.replaceChildren(...(on ? ['Open another video'] : ['Drop a video here, or ', h('u', {}, 'choose one')]));
  }
}
