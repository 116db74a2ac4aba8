/**
 * The models panel: what each registry model is for, its size here, what this browser has stored
 * (with Delete and "Keep models stored"), and this device in one line.
 */
import { MODELS, costFor, type ModelEntry, type ModelRole } from '../models/registry';
import { h } from './dom';
import { summarizeCapabilities, type DeviceCapabilities } from '../models/capabilities';
import { deleteCachedModel, listCachedModels, requestPersistentStorage, type CachedModel } from '../models/model-cache';
import { toAppError, type AppError } from '../core/errors';
import { formatBytes, formatMegabytes } from '../core/units';
import type { LoadState } from '../runtime/engine-contracts';
import { NO_SERVED_MODELS, isServed, type ServedModels } from '../models/served-models';

const ROLE: Record<ModelRole, string> = {
  'orchestrator-vlm': 'Orchestrator and vision',
  'text-reasoner': 'Text reasoning',
  'text-writer': 'Answers from the speech',
  speech: 'Speech',
};

const STATUS: Record<ModelEntry['status'], string> = {
  ready: '',
  'needs-export': 'no browser build yet',
  'test-only': 'tests only',
};

/**
 * Download size on the device the model would run on here: WebGPU when present (the dtype for a GPU
 * without shader-f16 where it lacks that), else WASM, with the rough Stage-1 time there. Speech
 * runs its bundled WASM copy unless the site serves its WebGPU build (whisper-models.ts).
 */
export function sizeOn(entry: ModelEntry, webgpu: boolean, served: ServedModels = NO_SERVED_MODELS, hasShaderF16 = true): string {
  const gpuProfile = entry.devices.webgpu;
  const onGpu = webgpu && gpuProfile !== undefined && (entry.bundledPath === undefined || isServed(served, entry, gpuProfile.dtype));
  const device = onGpu ? 'webgpu' : 'wasm';
  const cost = costFor(entry, device, hasShaderF16);
  const profile = entry.devices[device];
  if (!cost || !profile) return 'needs WebGPU';
  const size = `${profile.downloadIsEstimate ? 'about ' : ''}${formatMegabytes(cost.downloadMB)}`;
  const minutes = profile.wasmSecondsPerAnswer?.map((seconds) => Math.max(1, Math.round(seconds / 60)));
  return minutes ? `${size}; on the CPU roughly ${minutes[0]}–${minutes[1]} min a first look (estimate)` : size;
}

/** Stored files by registry id, and those of no registry model (other repositories, old builds) apart. */
export function storedByModel(
  cached: readonly CachedModel[],
  registry: readonly ModelEntry[] = MODELS,
): { byId: Map<string, CachedModel>; other: CachedModel[] } {
  const known = new Set(registry.map((entry) => entry.id));
  return {
    byId: new Map(cached.filter((model) => known.has(model.id)).map((model) => [model.id, model])),
    other: cached.filter((model) => !known.has(model.id)),
  };
}

export function storedText(model: CachedModel | undefined): string {
  if (!model) return 'not stored';
  return `${formatBytes(model.bytes)} (${model.files} ${model.files === 1 ? 'file' : 'files'})`;
}

export function persistText(granted: boolean): string {
  return granted
    ? 'This browser will keep the stored models unless you delete them.'
    : 'This browser did not promise to keep them: it may delete stored models when disk space runs low.';
}

/** The element attributes the panel sets. */
export type SettingsAttribute = 'model' | 'model-source' | 'speech' | 'reasoner';

/** Dispatched on the panel's element when a person changes a choice; `value` null removes the attribute. */
export interface SettingsChange {
  attribute: SettingsAttribute;
  value: string | null;
}

export const SETTINGS_CHANGE = 'sage-settings-change';

/**
 * The models panel. State in: `reflect` (the attributes), `choose` (the VLM in use), `useSpeech`,
 * `showVlmState`, `showDevice`, `showServed`. Events out, on `element`: `sage-settings-change`
 * with what a person picked, which the element turns into attributes and reflects back. Reading
 * and deleting stored models (`refreshStored`) is the panel's own.
 */
export class SettingsPanel {
  readonly element: HTMLDetailsElement;
  private readonly select = h('select', { 'aria-label': 'Vision-language model' });
  /** Where to load that model from instead, e.g. a SAGE-MM export (src/models/model-source.ts). */
  private readonly sourceInput = h('input', {
    type: 'text',
    'aria-label': 'Load the vision-language model from',
    placeholder: 'owner/repository or ./models/folder',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  /** '' for the default (SPEECH_MODEL_ID), else the id of a speech model served with the app. */
  private readonly speechSelect = h('select', { 'aria-label': 'Speech model' });
  /** '' lets the chooser decide, 'off' leaves Stage 2 to the VLM, else a text-reasoner id. */
  private readonly reasonerSelect = h('select', { 'aria-label': 'Text reasoner' });
  private readonly deviceLine = h('p', { class: 'device' }, 'Checking this device…');
  /** The chooser's notes for this device, e.g. that answers will be slow without WebGPU. */
  private readonly notes = h('ul', { class: 'notes muted' });
  private readonly vlmLine = h('p', { class: 'muted', role: 'status' });
  private readonly table = h('table', { class: 'models' });
  private readonly otherStored = h('ul', { class: 'stored-other' });
  private readonly keepButton = h('button', { type: 'button' }, 'Keep models stored');
  private readonly storageLine = h('p', { class: 'muted', role: 'status' });
  private capabilities: DeviceCapabilities | null = null;
  /** Undefined until the browser's caches have been read. */
  private stored: readonly CachedModel[] | undefined;
  private served: ServedModels = NO_SERVED_MODELS;

  constructor(
    private selected: string,
    private speechModelId: string,
  ) {
    for (const entry of MODELS.filter((m) => m.role === 'orchestrator-vlm')) {
      this.select.append(h('option', { value: entry.id }, entry.label));
    }
    this.speechSelect.append(
      h('option', { value: '' }, 'Default (Whisper base)'),
      ...MODELS.filter((m) => m.role === 'speech' && m.bundledPath).map((entry) => h('option', { value: entry.id }, entry.label)),
    );
    this.reasonerSelect.append(
      h('option', { value: '' }, 'Automatic (what fits this device)'),
      h('option', { value: 'off' }, 'Off (the vision-language model reasons)'),
      ...MODELS.filter((m) => m.role === 'text-reasoner').map((entry) => h('option', { value: entry.id }, entry.label)),
    );
    this.element = h(
      'details',
      { class: 'panel settings' },
      h('summary', {}, 'Models and device'),
      this.deviceLine,
      this.notes,
      h('label', { class: 'field' }, h('span', {}, 'Vision-language model '), this.select),
      h(
        'label',
        { class: 'field' },
        h('span', {}, 'Load it from (optional: a Hub repository, or a folder on this site such as a SAGE-MM export) '),
        this.sourceInput,
      ),
      this.vlmLine,
      h('label', { class: 'field' }, h('span', {}, 'Text reasoner for step-by-step reasoning '), this.reasonerSelect),
      h('label', { class: 'field' }, h('span', {}, 'Speech model '), this.speechSelect),
      h('div', { class: 'table-wrap' }, this.table),
      this.otherStored,
      h('p', { class: 'storage-actions' }, this.keepButton),
      this.storageLine,
    );
    this.element.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('[data-delete]');
      if (button?.dataset.delete) void this.deleteStored(button.dataset.delete, button);
    });
    this.keepButton.addEventListener('click', () => void this.keepStored());
    const report = (attribute: SettingsAttribute, value: string) =>
      this.element.dispatchEvent(new CustomEvent<SettingsChange>(SETTINGS_CHANGE, { detail: { attribute, value: value || null } }));
    this.select.addEventListener('change', () => report('model', this.select.value));
    this.sourceInput.addEventListener('change', () => report('model-source', this.sourceInput.value.trim()));
    this.speechSelect.addEventListener('change', () => report('speech', this.speechSelect.value));
    this.reasonerSelect.addEventListener('change', () => report('reasoner', this.reasonerSelect.value));
    this.choose(selected);
  }

  /** Shows the element's current attributes in the controls (an absent attribute is the default). */
  reflect(attributes: Record<Exclude<SettingsAttribute, 'model'>, string | null>): void {
    this.sourceInput.value = attributes['model-source'] ?? '';
    this.speechSelect.value = attributes.speech ?? '';
    this.reasonerSelect.value = attributes.reasoner ?? '';
  }

  /** Reads what this browser has stored; called when the panel opens and after a delete. */
  async refreshStored(): Promise<void> {
    try {
      this.stored = await listCachedModels();
    } catch (error) {
      this.showStorageError(toAppError(error, 'internal', 'The models stored in this browser could not be read.'));
      return;
    }
    this.render();
  }

  private async deleteStored(id: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await deleteCachedModel(id);
      this.showStorageMessage('');
    } catch (error) {
      this.showStorageError(toAppError(error, 'internal', 'The stored model could not be deleted.'));
    }
    await this.refreshStored();
  }

  private async keepStored(): Promise<void> {
    try {
      this.showStorageMessage(persistText(await requestPersistentStorage()));
    } catch (error) {
      this.showStorageError(toAppError(error, 'internal', 'The browser could not be asked to keep the models.'));
    }
  }

  private showStorageError(error: AppError): void {
    this.showStorageMessage(error.message, true);
  }

  private showStorageMessage(text: string, isError = false): void {
    this.storageLine.classList.toggle('error-text', isError);
    this.storageLine.textContent = text;
  }

  showDevice(capabilities: DeviceCapabilities, notes: readonly string[]): void {
    this.capabilities = capabilities;
    this.deviceLine.textContent = `This device: ${summarizeCapabilities(capabilities)}`;
    this.notes.replaceChildren(...notes.map((note) => h('li', {}, note)));
    this.render();
  }

  /** Marks the models this site serves itself. */
  showServed(served: ServedModels): void {
    this.served = served;
    this.render();
  }

  private isServed(entry: ModelEntry): boolean {
    return entry.bundledPath !== undefined || (this.served.models[entry.id]?.length ?? 0) > 0;
  }

  /** Marks the speech model in use once it is known (it follows the chooser unless picked). */
  useSpeech(modelId: string): void {
    this.speechModelId = modelId;
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
    const gpu = this.capabilities?.webgpu;
    const webgpu = gpu?.available ?? false;
    const hasShaderF16 = gpu?.available ? gpu.shaderF16 : true;
    const head = h('tr', {}, ...['Model', 'Used for', 'Download', 'Stored in this browser', 'Licence'].map((label) => h('th', { scope: 'col' }, label)));
    const { byId, other } = storedByModel(this.stored ?? []);
    const rows = MODELS.map((entry) => {
      const inUse = entry.id === this.selected || entry.id === this.speechModelId;
      const served = this.isServed(entry);
      const from = entry.id === this.selected ? this.sourceInput.value.trim() : '';
      const status = entry.status === 'needs-export' && (served || from) ? '' : STATUS[entry.status];
      const note = [inUse ? 'in use' : '', status, from ? `from ${from}` : served ? 'served with the app' : '']
        .filter(Boolean)
        .join(', ');
      return h(
        'tr',
        { class: inUse ? 'in-use' : undefined },
        h('th', { scope: 'row' }, entry.label, note ? h('span', { class: 'muted' }, ` (${note})`) : null),
        h('td', {}, ROLE[entry.role]),
        h('td', {}, sizeOn(entry, webgpu, this.served, hasShaderF16)),
        h('td', {}, this.stored ? storedText(byId.get(entry.id)) : '…', deleteButton(byId.get(entry.id))),
        h('td', {}, entry.license),
      );
    });
    this.table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
    this.otherStored.replaceChildren(
      ...other.map((model) => h('li', {}, `Also stored: ${model.label}, ${storedText(model)} `, deleteButton(model))),
    );
  }
}

function deleteButton(model: CachedModel | undefined): HTMLButtonElement | null {
  if (!model) return null;
  return h('button', { type: 'button', class: 'delete', 'data-delete': model.id, 'aria-label': `Delete ${model.label} from this browser` }, 'Delete');
}
