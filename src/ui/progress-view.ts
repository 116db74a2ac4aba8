/** Progress of long jobs (model downloads, skimming, transcription), one row per job. */
import { formatBytes } from './format';
import { h } from './dom';

export interface ProgressUpdate {
  /** Stable id of the job: a later update with the same id replaces the row. */
  id: string;
  label: string;
  /** Bytes or seconds done and in total; no total shows a busy bar. */
  done?: number;
  total?: number;
  unit?: 'bytes' | 'seconds';
}

export class ProgressView {
  readonly element = h('ul', { class: 'progress', 'aria-label': 'Work in progress' });
  private readonly rows = new Map<string, { row: HTMLLIElement; bar: HTMLProgressElement; text: HTMLSpanElement }>();

  update(update: ProgressUpdate): void {
    let entry = this.rows.get(update.id);
    if (!entry) {
      const text = h('span', { class: 'progress-text' });
      const bar = h('progress', { 'aria-label': update.label });
      const row = h('li', {}, text, bar);
      entry = { row, bar, text };
      this.rows.set(update.id, entry);
      this.element.append(row);
    }
    const { done, total } = update;
    if (done !== undefined && total !== undefined && total > 0) {
      entry.bar.max = total;
      entry.bar.value = Math.min(done, total);
      entry.text.textContent = `${update.label}: ${amount(done, update.unit)} of ${amount(total, update.unit)}`;
    } else {
      entry.bar.removeAttribute('value');
      entry.text.textContent = `${update.label}…`;
    }
  }

  finish(id: string): void {
    this.rows.get(id)?.row.remove();
    this.rows.delete(id);
  }
}

function amount(value: number, unit: ProgressUpdate['unit']): string {
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'seconds') return `${Math.round(value)} s`;
  return String(Math.round(value));
}
