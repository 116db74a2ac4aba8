/**
 * A question answered with vision when it can be, from the speech when it cannot. Decided before
 * the run when the reason is known (speech chosen, no tier fits, an earlier failed load); found in
 * the run when the vision model fails to load during it. Then the failure is shown as a step, in
 * its own words and with its next step, and the same question is answered from the speech, so a
 * person never ends with only an error.
 */
import { isCancelled, type AppError } from '../core/errors';
import type { AgentEvent } from './events';
import { SYSTEM_NOTE } from './run-agent';

export interface SpeechFallbackOptions {
  /** Known before the run: why the answer must come from the speech; null to try vision. */
  speechOnlyReason: string | null;
  /** The SAGE run with the vision model. */
  withVision: () => AsyncGenerator<AgentEvent, void, undefined>;
  /** After the run ends in `error`: why vision cannot be used when the vision model's load failed, else null (the error stands). */
  visionFailure: (error: AppError) => string | null;
  /** The answer from the speech, for a reason. */
  fromSpeech: (reason: string) => AsyncGenerator<AgentEvent, void, undefined>;
}

export async function* withSpeechFallback(options: SpeechFallbackOptions): AsyncGenerator<AgentEvent, void, undefined> {
  if (options.speechOnlyReason !== null) {
    yield* options.fromSpeech(options.speechOnlyReason);
    return;
  }
  for await (const event of options.withVision()) {
    if (event.type === 'error' && !isCancelled(event.error)) {
      const reason = options.visionFailure(event.error);
      if (reason !== null) {
        yield { type: 'tool-result', step: 0, name: SYSTEM_NOTE, label: `${SYSTEM_NOTE}_vision`, output: event.error.message, isError: true, frames: [], spans: [] };
        yield* options.fromSpeech(reason);
        return;
      }
    }
    yield event;
  }
}
