/**
 * The LLM judge: given question, reference and prediction, a model returns `{reasoning, correct}`
 * (SAGE-Bench's judge returns a reasoning and a True/False verdict). The prompt is our own. Any
 * `ReasoningModel` can judge; with web-llm the reply is decoded under VERDICT_SCHEMA, so it parses.
 */
import { repairJson } from '../src/agent/json-repair';
import type { ConstraintSchema } from '../src/core/stage2-schema';
import type { ReasoningModel } from '../src/core/contracts';
import { AppError } from '../src/core/errors';

export interface JudgeInput {
  question: string;
  reference: string;
  /** The reference's option letter, for a multiple-choice question whose letter is known. */
  referenceOption: string | null;
  prediction: string;
}

export interface Verdict {
  reasoning: string;
  correct: boolean;
}

/** Reasoning first, so a model that writes in order thinks before it decides. */
export const VERDICT_SCHEMA: ConstraintSchema = {
  type: 'object',
  properties: { reasoning: { type: 'string' }, correct: { type: 'boolean' } },
  required: ['reasoning', 'correct'],
  additionalProperties: false,
};

export const JUDGE_SYSTEM =
  'You grade answers to questions about videos. You have not seen the video: the reference answer is the truth. Reply with the JSON object asked for, and nothing else.';

/** Each field is a JSON string, so a field's own line breaks or quotes cannot blur where it ends. */
export function judgePrompt(input: JudgeInput): string {
  return [
    'Decide whether the prediction answers the question with the same meaning as the reference answer.',
    'Different wording is fine, and so is extra detail that does not contradict the reference. A prediction that names several different answers, contradicts the reference, or says it cannot answer is not correct.',
    `Question: ${JSON.stringify(input.question)}`,
    `Reference answer: ${JSON.stringify(input.reference)}`,
    ...(input.referenceOption ? [`Reference option: ${JSON.stringify(input.referenceOption)}`] : []),
    `Prediction: ${JSON.stringify(input.prediction)}`,
    'Reply with one JSON object: {"reasoning": "one or two sentences comparing the two", "correct": true or false}.',
  ].join('\n\n');
}

/** The verdict in a reply (bare JSON, in `<json>` tags or a code fence), or null when there is none. */
export function parseVerdict(reply: string): Verdict | null {
  const start = reply.indexOf('{');
  if (start === -1) return null;
  const end = reply.lastIndexOf('}');
  let value: unknown;
  try {
    value = JSON.parse(repairJson(reply.slice(start, end > start ? end + 1 : undefined)));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { reasoning, correct } = value as Record<string, unknown>;
  // Unconstrained models sometimes quote the boolean ("True", as SAGE's judge writes it).
  const word = String(correct).toLowerCase();
  if (word !== 'true' && word !== 'false') return null;
  return { reasoning: typeof reasoning === 'string' ? reasoning : '', correct: word === 'true' };
}

/** Asks `model` for a verdict; a reply without one is asked for once more, then it is an error. */
export async function askJudge(model: ReasoningModel, input: JudgeInput, signal: AbortSignal): Promise<Verdict> {
  const request = { prompt: judgePrompt(input), system: JUDGE_SYSTEM, signal };
  let reply = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    reply = await model.generate(request);
    const verdict = parseVerdict(reply);
    if (verdict) return verdict;
  }
  throw new AppError('internal', 'The judge replied twice without a verdict.', { detail: reply.slice(0, 500) });
}
