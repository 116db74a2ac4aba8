/**
 * Which model answers Stage 2 for a `<sage-agent>`: a host's own orchestrator when one is set,
 * else the chooser's web-llm text reasoner (loaded on the first Stage-2 step, with the VLM taking
 * over if it cannot load or breaks), else the VLM itself.
 */
import { stage2WithFallback } from '../agent/stage2-fallback';
import type { GenerateRequest, ReasoningModel } from '../core/contracts';
import type { AppError } from '../core/errors';
import type { ModelChoice } from '../models/chooser';
import { isMlcDtype, type MlcDtype, type ModelEntry } from '../models/registry';

export interface ReasonerPlan {
  entry: ModelEntry;
  dtype: MlcDtype;
}

/** The text reasoner to load for this choice, or null when the VLM does Stage 2. */
export function reasonerPlan(choice: Pick<ModelChoice, 'reasoner'>): ReasonerPlan | null {
  const reasoner = choice.reasoner;
  if (!reasoner || !isMlcDtype(reasoner.cost.dtype)) return null;
  return { entry: reasoner.entry, dtype: reasoner.cost.dtype };
}

export interface Stage2Options {
  /** A host's orchestrator, read per call: when set it does Stage 2 as well. */
  override: () => ReasoningModel | undefined;
  /** The orchestrator VLM as a text model. */
  vlm: ReasoningModel;
  /** The chooser's result for this device and orchestrator. */
  choice: () => Promise<Pick<ModelChoice, 'reasoner'>>;
  /** Loads (or reuses) the reasoner of a plan. */
  loadReasoner: (plan: ReasonerPlan) => Promise<ReasoningModel>;
  /** Called once, when Stage 2 moves from the reasoner to the VLM. */
  onFallback: (error: AppError) => void;
}

/**
 * The session's Stage-2 model. Nothing is decided or loaded until the first Stage-2 step, so a
 * question answered from the skim alone never downloads the reasoner.
 */
export function stage2Model(options: Stage2Options): ReasoningModel {
  let chosen: Promise<ReasoningModel> | null = null;
  const model = (): Promise<ReasoningModel> =>
    (chosen ??= options.choice().then(
      (choice) => {
        const plan = reasonerPlan(choice);
        if (!plan) return options.vlm;
        return stage2WithFallback({ reasoner: options.loadReasoner(plan), fallback: options.vlm, onFallback: options.onFallback });
      },
      // Without a choice (capabilities unreadable) the VLM still answers.
      () => options.vlm,
    ));
  return {
    async generate(request: GenerateRequest): Promise<string> {
      const override = options.override();
      if (override) return override.generate(request);
      return (await model()).generate(request);
    },
  };
}
