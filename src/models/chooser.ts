/**
 * Picks the models to load on this device: an orchestrator VLM, optionally a web-llm text reasoner
 * for Stage 2, and a Whisper model. Pure: it reads the registry and the detected capabilities, so
 * settings can re-run it for every override the user tries.
 *
 * Models the site serves itself (pulled into `models/`, see served-models.ts) come first: whoever
 * deployed the app chose them, and they load with no network. A served export of an entry still
 * marked `needs-export` (SAGE-MM) counts as ready.
 *
 * All chosen models are loaded at once, so their memory adds up against one budget. Browsers give
 * no GPU memory figure; `navigator.deviceMemory` (capped at 8 GB by Chromium) is the best hint, and
 * unknown memory is treated as a modest laptop.
 */
import { formatMegabytes } from '../core/units';
import type { DeviceCapabilities } from './capabilities';
import { withModelSource } from './model-source';
import { NO_SERVED_MODELS, isServed, type ServedModels } from './served-models';
import {
  MODELS,
  costFor,
  type DeviceCost,
  type ModelDevice,
  type ModelEntry,
  type ModelRole,
  type ModelSource,
} from './registry';

/** Assumed when the browser does not report device memory. */
export const UNKNOWN_DEVICE_MEMORY_GB = 4;
/** Share of device memory the models may take; the browser, the page and the video need the rest. */
export const MEMORY_BUDGET_SHARE = 0.75;

export interface ChosenModel {
  readonly entry: ModelEntry;
  readonly device: ModelDevice;
  readonly cost: DeviceCost;
}

export interface ModelChoice {
  readonly device: ModelDevice;
  readonly orchestrator: ChosenModel;
  /** Null: the orchestrator does Stage 2 itself. */
  readonly reasoner: ChosenModel | null;
  readonly speech: ChosenModel;
  /** Memory the models may use together, in MB, and what the choice needs. */
  readonly budgetMB: number;
  readonly totalMemoryMB: number;
  readonly totalDownloadMB: number;
  /** Sentences for the user: why something was left out, an override that may not fit, slowness. */
  readonly notes: readonly string[];
  /** True on WASM: every model call is several times slower than on a GPU. */
  readonly slow: boolean;
}

export interface ModelOverrides {
  /** Registry id of the orchestrator to use instead of the chosen one. */
  orchestrator?: string;
  /**
   * Where to load the orchestrator from instead of its registry source: a self-hosted export
   * (`{ kind: 'local', path: 'models/sage-mm' }`) or a Hub repository holding one. This is how a
   * SAGE-MM browser build is used before the registry points at one.
   */
  orchestratorSource?: ModelSource;
  /** Registry id of the text reasoner, or null to turn it off (the VLM then does Stage 2). */
  reasoner?: string | null;
  speech?: string;
  /** Run on WASM even when WebGPU exists (e.g. after a GPU failure). */
  forceWasm?: boolean;
}

export const WASM_SLOW_NOTE = 'No WebGPU here, so models run on the CPU (WASM): it works, but expect answers to take several minutes.';

export interface ChooserContext {
  registry?: readonly ModelEntry[];
  /** What the site serves itself. */
  served?: ServedModels;
}

export function chooseModels(capabilities: DeviceCapabilities, overrides: ModelOverrides = {}, context: ChooserContext = {}): ModelChoice {
  const { registry = MODELS, served = NO_SERVED_MODELS } = context;
  const webgpu = capabilities.webgpu.available && !overrides.forceWasm ? capabilities.webgpu : undefined;
  const device: ModelDevice = webgpu ? 'webgpu' : 'wasm';
  const hasF16 = webgpu?.shaderF16 ?? false;
  const bufferLimitMB = webgpu ? Math.min(webgpu.maxBufferSize, webgpu.maxStorageBufferBindingSize) / MB : Infinity;
  const budgetMB = Math.floor((capabilities.deviceMemoryGB ?? UNKNOWN_DEVICE_MEMORY_GB) * 1024 * MEMORY_BUDGET_SHARE);
  const notes: string[] = [];
  if (!webgpu) notes.push(capabilities.webgpu.available ? 'Running on the CPU (WASM) as asked; expect slow answers.' : WASM_SLOW_NOTE);
  else if (webgpu.isFallbackAdapter) notes.push('This WebGPU adapter is a software one, so models will be slow.');

  // An entry waiting for an export can run only where the site serves one.
  const candidate = (entry: ModelEntry): ChosenModel | undefined => {
    const cost = costFor(entry, device, hasF16);
    if (!cost) return undefined;
    if (cost.largestBufferMB !== undefined && cost.largestBufferMB > bufferLimitMB) return undefined;
    if (entry.status === 'needs-export' && !isServed(served, entry, cost.dtype)) return undefined;
    return { entry, device, cost };
  };
  const servedHere = (option: ChosenModel): boolean => isServed(served, option.entry, option.cost.dtype);
  // Served models first; then on WebGPU the registry's order (each role best first), and on WASM
  // the VLM whose Stage 1 is estimated fastest and the smallest of the other roles.
  const inPreferenceOrder = (role: ModelRole): ChosenModel[] =>
    registry
      .filter((entry) => entry.role === role)
      .filter((entry) => entry.status !== 'test-only')
      .flatMap((entry) => candidate(entry) ?? [])
      .sort(
        (a, b) =>
          Number(servedHere(b)) - Number(servedHere(a)) ||
          (device === 'wasm' ? wasmSeconds(a) - wasmSeconds(b) || a.cost.memoryMB - b.cost.memoryMB : 0),
      );

  const speech = pick('speech', overrides.speech, inPreferenceOrder('speech'), budgetMB, registry, candidate, notes, device);

  // web-llm needs WebGPU. The reasoner's output is held to the Stage-2 JSON schema, so every step
  // parses even when the VLM is too small to write it reliably: the automatic VLM is the best one
  // that leaves room for some reasoner, and the best alone only when none does.
  const askedReasoner =
    overrides.reasoner === undefined || overrides.reasoner === null
      ? undefined
      : resolveOverride('text-reasoner', overrides.reasoner, registry, candidate, notes, device);
  const reasoners = overrides.reasoner === null || device !== 'webgpu' ? [] : askedReasoner ? [askedReasoner] : inPreferenceOrder('text-reasoner');
  const reasonerRoomMB = Math.min(...reasoners.map((option) => option.cost.memoryMB));
  const orchestratorEntry = withSource(overrides.orchestrator, overrides.orchestratorSource, registry);
  const orchestratorOptions = inPreferenceOrder('orchestrator-vlm');
  const withRoom = orchestratorOptions.find((option) => option.cost.memoryMB + reasonerRoomMB <= budgetMB - speech.cost.memoryMB);
  const orchestrator =
    orchestratorEntry === undefined && withRoom
      ? withRoom
      : pick('orchestrator-vlm', orchestratorEntry, orchestratorOptions, budgetMB - speech.cost.memoryMB, registry, candidate, notes, device);
  if (device === 'wasm') notes.push(wasmTimeNote(orchestrator));

  const left = budgetMB - speech.cost.memoryMB - orchestrator.cost.memoryMB;
  let reasoner: ChosenModel | null = null;
  if (overrides.reasoner !== null) {
    reasoner = askedReasoner ?? reasoners.find((option) => option.cost.memoryMB <= left) ?? null;
    if (!reasoner && device === 'webgpu') {
      notes.push(
        'No text reasoner fits next to the vision model, so the vision model also does the step-by-step reasoning ' +
          '(turn one on in settings if this machine has more memory than the browser reports).',
      );
    }
  }

  const chosen = [orchestrator, speech, ...(reasoner ? [reasoner] : [])];
  const totalMemoryMB = chosen.reduce((sum, model) => sum + model.cost.memoryMB, 0);
  if (totalMemoryMB > budgetMB) {
    notes.push(
      `These models need about ${formatMegabytes(totalMemoryMB)} and this device has room for about ${formatMegabytes(budgetMB)}; loading may fail or the tab may be closed by the browser.`,
    );
  }
  return {
    device,
    orchestrator,
    reasoner,
    speech,
    budgetMB,
    totalMemoryMB,
    totalDownloadMB: chosen.reduce((sum, model) => sum + model.cost.downloadMB, 0),
    notes,
    slow: device === 'wasm' || (webgpu?.isFallbackAdapter ?? false),
  };
}

const MB = 1024 * 1024;

/** The entry's estimated WASM seconds for one Stage-1 call (fast end); entries without one go last. */
function wasmSeconds(option: ChosenModel): number {
  return option.entry.devices.wasm?.wasmSecondsPerAnswer?.[0] ?? Infinity;
}

/** How long the first look at a long video will take on this CPU, said before anything downloads. */
export function wasmTimeNote(option: ChosenModel): string {
  const estimate = option.entry.devices.wasm?.wasmSecondsPerAnswer;
  if (!estimate) return `${option.entry.label} has no time estimate on the CPU; expect it to be slow.`;
  const [fast, slow] = estimate.map((seconds) => Math.max(1, Math.round(seconds / 60)));
  return (
    `With ${option.entry.label} on the CPU, the first look at a long video (128 frames) takes roughly ${fast}–${slow} minutes ` +
    'on a 2-core machine, less with more cores; each further step adds more (an estimate: rates measured on a 3B model, scaled to this one\'s size).'
  );
}

/** The override entry, with its source replaced (and marked loadable) when a source is given. */
function withSource(id: string | undefined, source: ModelSource | undefined, registry: readonly ModelEntry[]): ModelEntry | string | undefined {
  if (id === undefined || source === undefined) return id;
  const entry = registry.find((candidate) => candidate.id === id);
  return entry ? withModelSource(entry, source) : id;
}

/** The override when it can run here (kept even when it may not fit: the user asked), else the first option within the budget, else the smallest with a note. */
function pick(
  role: ModelRole,
  override: ModelEntry | string | undefined,
  options: ChosenModel[],
  budgetMB: number,
  registry: readonly ModelEntry[],
  candidate: (entry: ModelEntry) => ChosenModel | undefined,
  notes: string[],
  device: ModelDevice,
): ChosenModel {
  const asked = override === undefined ? undefined : resolveOverride(role, override, registry, candidate, notes, device);
  if (asked) return asked;
  const fitting = options.find((option) => option.cost.memoryMB <= budgetMB);
  if (fitting) return fitting;
  const smallest = [...options].sort((a, b) => a.cost.memoryMB - b.cost.memoryMB)[0];
  if (!smallest) {
    // The registry always offers a WASM speech model and VLM; reaching here means it was edited badly.
    throw new Error(`No ${role} model in the registry runs on ${device}`);
  }
  notes.push(`${smallest.entry.label} is the smallest ${roleName(role)} and may not fit in this device's memory.`);
  return smallest;
}

/** The model the user asked for when it can run here; otherwise a note saying why not. */
function resolveOverride(
  role: ModelRole,
  override: ModelEntry | string,
  registry: readonly ModelEntry[],
  candidate: (entry: ModelEntry) => ChosenModel | undefined,
  notes: string[],
  device: ModelDevice,
): ChosenModel | undefined {
  const entry = typeof override === 'string' ? registry.find((e) => e.id === override) : override;
  const chosen = entry && entry.role === role ? candidate(entry) : undefined;
  if (!chosen) notes.push(overrideProblem(override, entry, role, device));
  return chosen;
}

function overrideProblem(override: ModelEntry | string, entry: ModelEntry | undefined, role: ModelRole, device: ModelDevice): string {
  const name = entry?.label ?? (typeof override === 'string' ? override : override.id);
  if (!entry) return `"${name}" is not a known model; using the automatic choice.`;
  if (entry.role !== role) return `${name} is not a ${roleName(role)}; using the automatic choice.`;
  if (entry.status === 'needs-export') {
    return `${name} has no browser build yet; give the location of its ONNX export in settings (see models/README.md). Using the automatic choice.`;
  }
  return `${name} cannot run ${device === 'webgpu' ? 'on this GPU' : 'without WebGPU'}; using the automatic choice.`;
}

function roleName(role: ModelRole): string {
  return role === 'orchestrator-vlm' ? 'vision-language model' : role === 'text-reasoner' ? 'text reasoner' : 'speech model';
}

/** The next smaller model of the same role that runs on `device`, to suggest when `entry` does not fit. */
export function smallerModel(
  entry: ModelEntry,
  device: ModelDevice,
  hasShaderF16: boolean,
  registry: readonly ModelEntry[] = MODELS,
): ModelEntry | undefined {
  const own = costFor(entry, device, hasShaderF16)?.memoryMB ?? Infinity;
  return registry
    .filter((other) => other.role === entry.role && other.status === 'ready' && other.id !== entry.id)
    .flatMap((other) => {
      const cost = costFor(other, device, hasShaderF16);
      return cost && cost.memoryMB < own ? [{ other, memoryMB: cost.memoryMB }] : [];
    })
    .sort((a, b) => b.memoryMB - a.memoryMB)[0]?.other;
}
