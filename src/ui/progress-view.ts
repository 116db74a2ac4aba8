/** Progress of long jobs (model downloads, skimming, transcription), one row per job. */
import { formatFileProgress } from './format';
import { formatBytes } from '../core/units';
import { h } from './dom';
import type { ProgressRow } from '../workspace/workspace';

interface Row {
  row: HTMLLIElement;
  bar: HTMLProgressElement;
  text: HTMLSpanElement;
  files: HTMLDetailsElement;
  summary: HTMLElement;
  list: HTMLUListElement;
  /** The row last drawn: the workspace replaces only the rows that changed, so an equal one is skipped. */
  shown: ProgressRow | null;
}

/** State in: `render(rows)`, the workspace's progress rows. No events out. */
export class ProgressView {
  readonly element = h('ul', { class: 'progress', 'aria-label': 'Work in progress' });
  private readonly rows = new Map<string, Row>();

  /** Shows these rows, in this order of arrival; a row whose id is gone is removed. */
  render(rows: readonly ProgressRow[]): void {
    const ids = new Set(rows.map((row) => row.id));
    for (const id of [...this.rows.keys()]) if (!ids.has(id)) this.remove(id);
    for (const row of rows) if (this.rows.get(row.id)?.shown !== row) this.update(row);
  }

  private update(update: ProgressRow): void {
    let entry = this.rows.get(update.id);
    if (!entry) {
      const text = h('span', { class: 'progress-text' });
      const bar = h('progress', { 'aria-label': update.label });
      const summary = h('summary', {});
      const list = h('ul', {});
      // Folded, and kept across updates, so a person who opened it sees the files move.
      const files = h('details', { class: 'progress-files', hidden: true }, summary, list);
      const row = h('li', {}, text, bar, files);
      entry = { row, bar, text, files, summary, list, shown: null };
      this.rows.set(update.id, entry);
      this.element.append(row);
    }
    const { done, total } = update;
    if (done !== undefined && total !== undefined && total > 0) {
      entry.bar.max = total;
      entry.bar.value = Math.min(done, total);
      entry.text.textContent =
        update.unit === 'percent'
          ? `${update.label}: ${Math.floor((100 * Math.min(done, total)) / total)}%`
          : `${update.label}: ${amount(done, update.unit)} of ${amount(total, update.unit)}`;
    } else {
      entry.bar.removeAttribute('value');
      entry.text.textContent = `${update.label}…`;
    }
    const files = update.files ?? [];
    entry.files.hidden = files.length === 0;
    entry.summary.textContent = files.length === 1 ? '1 file' : `${files.length} files`;
    entry.list.replaceChildren(...files.map((file) => h('li', {}, formatFileProgress(file))));
    entry.shown = update;
  }

  private remove(id: string): void {
    this.rows.get(id)?.row.remove();
    this.rows.delete(id);
  }
}

function amount(value: number, unit: ProgressRow['unit']): string {
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'seconds') return `${Math.round(value)} s`;
  return String(Math.round(value));
}
