/**
 * A judge by rules, for the question set whose references are a word or a number: it reads the
 * judge prompt as a model would, and calls a prediction correct when every word of the reference
 * is in it. It knows nothing of negation or synonyms, so it is a test double, not a judge for
 * SAGE-Bench's free-form references.
 */
import type { ReasoningModel } from '../../src/core/contracts';

export const RULES_JUDGE = 'scripted-rules';

function field(prompt: string, name: string): string | null {
  const match = new RegExp(`(?:^|\\n)${name}: ("(?:[^"\\\\]|\\\\.)*")`).exec(prompt);
  return match ? (JSON.parse(match[1]!) as string) : null;
}

const words = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);

export function rulesJudge(): ReasoningModel {
  return {
    generate(request) {
      const reference = field(request.prompt, 'Reference answer');
      const prediction = field(request.prompt, 'Prediction');
      let verdict: { reasoning: string; correct: boolean };
      if (reference === null || prediction === null) {
        verdict = { reasoning: 'The prompt has no reference or no prediction.', correct: false };
      } else {
        const said = new Set(words(prediction));
        const missing = words(reference).filter((w) => !said.has(w));
        verdict = missing.length === 0 ? { reasoning: `The prediction contains "${reference}".`, correct: true } : { reasoning: `The prediction lacks ${missing.map((w) => `"${w}"`).join(', ')}.`, correct: false };
      }
      const reply = JSON.stringify(verdict);
      request.onToken?.(reply);
      return Promise.resolve(reply);
    },
  };
}
