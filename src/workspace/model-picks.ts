/**
 * Which models a workspace uses: the host's settings (the element's attributes) over the chooser's
 * pick for this device. The device is checked once, on the first question or when the models panel
 * opens, never at page load.
 */
import { isToolName, type ToolName } from '../core/protocol';
import type { DeviceCapabilities } from '../models/capabilities';
import { chooseModels, type ModelChoice, type ModelOverrides } from '../models/chooser';
import { parseModelSource } from '../models/model-source';
import { DEFAULT_VLM_ID } from '../models/registry';
import type { ServedModels } from '../models/served-models';

/** What a host sets; `null` is an absent attribute. */
export interface ModelSettings {
  /** Registry id of the VLM; null: the chooser's pick. */
  model: string | null;
  /** Where to load that VLM from instead (`owner/name` or `./models/folder`). */
  modelSource: string | null;
  /** Registry id of a speech model served with the app; null: the default. */
  speech: string | null;
  /** Registry id of a web-llm text reasoner, or `off`; null: the chooser's. */
  reasoner: string | null;
  /** Comma list of tool names to offer; null: all. */
  tools: string | null;
}

export const NO_MODEL_SETTINGS: ModelSettings = { model: null, modelSource: null, speech: null, reasoner: null, tools: null };

/** What the models panel shows about this device. */
export interface DeviceReport {
  capabilities: DeviceCapabilities;
  served: ServedModels;
  /** The chooser's notes on this device, for the model picked by hand when there is one. */
  notes: readonly string[];
}

export interface ModelPicksDeps {
  settings: () => ModelSettings;
  capabilities: () => Promise<DeviceCapabilities>;
  served: () => Promise<ServedModels>;
  /** Called once the chooser has picked, since `modelId` may change with it. */
  onChosen: () => void;
}

export class ModelPicks {
  private capabilitiesRead: Promise<DeviceCapabilities> | null = null;
  private choiceMade: Promise<ModelChoice> | null = null;
  private chosen: ModelChoice | null = null;

  constructor(private readonly deps: ModelPicksDeps) {}

  /**
   * Registry id of the VLM: the `model` setting, else the chooser's pick for this device. Until the
   * device has been checked that pick is unknown and the registry default stands in.
   */
  get modelId(): string {
    return this.deps.settings().model || this.chosen?.orchestrator.entry.id || DEFAULT_VLM_ID;
  }

  /** Tools named in the `tools` setting, or undefined (all) when it is absent; unknown names are dropped. */
  enabledTools(): ToolName[] | undefined {
    const list = this.deps.settings().tools;
    if (list === null) return undefined;
    return list
      .split(',')
      .map((name) => name.trim())
      .filter(isToolName);
  }

  capabilities(): Promise<DeviceCapabilities> {
    this.capabilitiesRead ??= this.deps.capabilities();
    return this.capabilitiesRead;
  }

  /** The chooser's models for this device, with nothing picked by hand; decided once. */
  choice(): Promise<ModelChoice> {
    this.choiceMade ??= Promise.all([this.capabilities(), this.deps.served()]).then(([capabilities, served]) => {
      this.chosen = chooseModels(capabilities, {}, { served });
      this.deps.onChosen();
      return this.chosen;
    });
    return this.choiceMade;
  }

  /**
   * The choice Stage 2 follows: a hand-picked VLM changes what fits next to it, and the `reasoner`
   * setting (a registry id, or 'off') overrides the chooser's pick.
   */
  async reasonerChoice(): Promise<ModelChoice> {
    const { model, reasoner } = this.deps.settings();
    if (!model && !reasoner) return this.choice();
    const [capabilities, served] = await Promise.all([this.capabilities(), this.deps.served()]);
    const overrides = { ...this.picked(), ...(reasoner ? { reasoner: reasoner === 'off' ? null : reasoner } : {}) };
    return chooseModels(capabilities, overrides, { served });
  }

  async deviceReport(): Promise<DeviceReport> {
    const [capabilities, choice, served] = await Promise.all([this.capabilities(), this.choice(), this.deps.served()]);
    // A model picked by hand gets the chooser's word on it too (e.g. that it may not fit).
    const picked = this.picked();
    return { capabilities, served, notes: picked.orchestrator ? chooseModels(capabilities, picked, { served }).notes : choice.notes };
  }

  /** The `model` and `model-source` settings as chooser overrides (a bad source is left to the load to report). */
  private picked(): ModelOverrides {
    const { model: orchestrator, modelSource: source } = this.deps.settings();
    if (!orchestrator) return {};
    if (!source) return { orchestrator };
    try {
      return { orchestrator, orchestratorSource: parseModelSource(source) };
    } catch {
      return { orchestrator };
    }
  }
}
