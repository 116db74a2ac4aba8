/**
 * How each answer is scored: no prediction is wrong; a multiple-choice prediction that names an
 * option is right when it is the reference's option; everything else goes to the judge.
 */
import type { JudgeInput } from './judge';
import { namedOption, parseOptions, referenceOption } from './multiple-choice';
import type { EvalQuestion } from './questions';

export type Decision =
  | { by: 'no-answer' | 'option'; correct: boolean; reasoning: string }
  | { by: 'judge'; input: JudgeInput };

export function decide(question: EvalQuestion, prediction: string | null): Decision {
  if (prediction === null || prediction.trim() === '') {
    return { by: 'no-answer', correct: false, reasoning: 'The run produced no answer.' };
  }
  const options = question.type === 'mcq' ? parseOptions(question.question) : new Map<string, string>();
  const right = referenceOption(options, question.reference);
  const named = right ? namedOption(prediction, options) : null;
  if (right && named) {
    return {
      by: 'option',
      correct: named === right,
      reasoning: `The prediction names option ${named}; the reference is option ${right}.`,
    };
  }
  return { by: 'judge', input: { question: question.question, reference: question.reference, referenceOption: right, prediction } };
}
