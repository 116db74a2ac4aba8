/** The models panel: what each registry model is for, its size here, and this device in one line. */
import { MODELS, type ModelEntry, type ModelRole } from '../models/registry';
import { h } from './dom';
import { summarizeCapabilities, type DeviceCapabilities } from '../models/capabilities';
import { formatMegabytes } from './format';
import type { LoadState } from './engines';

const ROLE: Record<ModelRole, string> = {
  'orchestrator-vlm': 'Orchestrator and vision',
  'text-reasoner': 'Text reasoning',
  speech: 'Speech',
};

const STATUS: Record<ModelEntry['status'], string> = {
  ready: '',
  'needs-export': 'no browser build yet',
  'test-only': 'tests only',
};

/** Download size on the device models would run on here: WebGPU when present, else WASM. */
export function sizeOn(entry: ModelEntry, webgpu: boolean): string {
  const profile = (webgpu ? entry.devices.webgpu : undefined) ?? entry.devices.wasm;
  if (!profile) return 'needs WebGPU';
  return formatMegabytes(profile.downloadMB);
}

export class SettingsPanel {
  readonly element: HTMLDetailsElement;
  readonly select = h('select', { 'aria-label': 'Vision-language model' });
  private readonly deviceLine = h('p', { class: 'device' }, 'Checking this device…');
  /** The chooser's notes for this device, e.g. that answers will be slow without WebGPU. */
  private readonly notes = h('ul', { class: 'notes muted' });
  private readonly vlmLine = h('p', { class: 'muted', role: 'status' });
  private readonly table = h('table', { class: 'models' });
  private capabilities: DeviceCapabilities | null = null;

  constructor(
    private selected: string,
    private readonly speechModelId: string,
  ) {
    for (const entry of MODELS.filter((m) => m.role === 'orchestrator-vlm')) {
      this.select.append(h('option', { value: entry.id, disabled: entry.status === 'needs-export' }, entry.label));
    }
    this.element = h(
      'details',
      { class: 'panel settings' },
      h('summary', {}, 'Models and device'),
      this.deviceLine,
      this.notes,
      h('label', { class: 'field' }, h('span', {}, 'Vision-language model '), this.select),
      this.vlmLine,
      h('div', { class: 'table-wrap' }, this.table),
    );
    this.choose(selected);
  }

  showDevice(capabilities: DeviceCapabilities, notes: readonly string[]): void {
    this.capabilities = capabilities;
    this.deviceLine.textContent = `This device: ${summarizeCapabilities(capabilities)}`;
    this.notes.replaceChildren(...notes.map((note) => h('li', {}, note)));
    this.render();
  }

  choose(modelId: string): void {
    this.selected = modelId;
    this.select.value = modelId;
    this.render();
  }

  showVlmState(state: LoadState): void {
    this.vlmLine.textContent =
      state.state === 'idle'
        ? 'Loads when the first question needs it.'
        : state.state === 'loading'
          ? 'Loading…'
          : state.state === 'ready'
            ? `Loaded, running on ${state.device === 'webgpu' ? 'WebGPU' : 'WASM'}.`
            : `Could not load: ${state.error.message}`;
    this.vlmLine.classList.toggle('error-text', state.state === 'failed');
  }

  private render(): void {
    const webgpu = this.capabilities?.webgpu.available ?? false;
    const head = h('tr', {}, ...['Model', 'Used for', 'Download', 'Licence'].map((label) => h('th', { scope: 'col' }, label)));
    const rows = MODELS.map((entry) => {
      const inUse = entry.id === this.selected || entry.id === this.speechModelId;
      const note = [inUse ? 'in use' : '', STATUS[entry.status], entry.id === this.speechModelId ? 'served with the app' : '']
        .filter(Boolean)
        .join(', ');
      return h(
        'tr',
        { class: inUse ? 'in-use' : undefined },
        h('th', { scope: 'row' }, entry.label, note ? h('span', { class: 'muted' }, ` (${note})`) : null),
        h('td', {}, ROLE[entry.role]),
        h('td', {}, sizeOn(entry, webgpu)),
        h('td', {}, entry.license),
      );
    });
    this.table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
  }
}
