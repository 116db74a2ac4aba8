/**
 * Stage 2 on a separate text reasoner when one is available, else on the orchestrator VLM. The
 * reasoner may be off (null), still loading (a promise), or fail to load or break mid-run; in each
 * case the VLM answers the step and `onFallback` says why, once, so the page can show a notice.
 */
import { AppError, isCancelled, toAppError } from '../core/errors';
import type { GenerateRequest, ReasoningModel } from '../core/contracts';

export interface Stage2FallbackOptions {
  /** The text reasoner, a promise of it while it loads, or null when turned off. */
  reasoner: ReasoningModel | Promise<ReasoningModel> | null;
  /** The orchestrator VLM as a text model. */
  fallback: ReasoningModel;
  /** Called once, with the failure that moved Stage 2 to the VLM. */
  onFallback?: (error: AppError) => void;
}

export function stage2WithFallback(options: Stage2FallbackOptions): ReasoningModel {
  const { fallback, onFallback } = options;
  // The reasoner's loader has already said why it failed (src/models/engines/engine-errors.ts).
  let reasoner: Promise<ReasoningModel | null> = Promise.resolve(options.reasoner).catch((error: unknown) => {
    onFallback?.(toAppError(error));
    return null;
  });
  return {
    async generate(request: GenerateRequest): Promise<string> {
      const model = await reasoner;
      if (!model) return fallback.generate(request);
      try {
        return await model.generate(request);
      } catch (error) {
        if (isCancelled(error) || request.signal.aborted) throw error;
        // A reasoner that failed once (GPU lost beyond its own retry, out of memory) is not tried again.
        reasoner = Promise.resolve(null);
        onFallback?.(toAppError(error));
        return fallback.generate(request);
      }
    },
  };
}
