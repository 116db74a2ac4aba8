import { describe, expect, it } from 'vitest';
import { namedOption, parseOptions, referenceOption } from '../../../eval/multiple-choice';
import type { EvalQuestion } from '../../../eval/questions';
import { decide } from '../../../eval/verdict';

/** SAGE-Bench's layout of a multiple-choice question. */
const MCQ_TEXT =
  "What is Lance Stroll's car number?\n Answer the question based on the following options: \n (A) 18\n (B) 9\n (C) 3\n (D) 7";

const mcq: EvalQuestion = { id: 'q', video: 'v', question: MCQ_TEXT, reference: '18', type: 'mcq', difficulty: 'hard', modality: 'visual', duration: 706 };
const open: EvalQuestion = { ...mcq, question: 'What hat is worn?', reference: 'A cowboy hat.', type: 'open_ended' };

describe('multiple-choice options', () => {
  it('reads the options as SAGE-Bench writes them', () => {
    expect([...parseOptions(MCQ_TEXT)]).toEqual([['A', '18'], ['B', '9'], ['C', '3'], ['D', '7']]);
    expect(parseOptions('What colour is it?').size).toBe(0);
  });

  it("finds the reference's letter from its text or a letter", () => {
    const options = parseOptions(MCQ_TEXT);
    expect(referenceOption(options, '18')).toBe('A');
    expect(referenceOption(options, ' (C) ')).toBe('C');
    expect(referenceOption(options, '42')).toBeNull();
    expect(referenceOption(parseOptions(' (A) same\n (B) Same.'), 'same')).toBeNull();
  });

  it.each([
    ['A', 'A'],
    ['(B).', 'B'],
    ['C) 3', 'C'],
    ['D: 7', 'D'],
    ['The number is 18, option (A).', 'A'],
    ['The answer is B.', 'B'],
    ['Answer: C', 'C'],
    ['A red car with number 18.', null],
    ['The answer is B because the car shows 9.', null],
    ['(A) or (B)', null],
    ['(E) none', null],
    ['18', null],
  ])('%j names option %j', (prediction, letter) => {
    expect(namedOption(prediction, parseOptions(MCQ_TEXT))).toBe(letter);
  });
});

describe('decide', () => {
  it('scores a multiple-choice prediction that names an option by its letter alone', () => {
    expect(decide(mcq, '(A)')).toEqual({ by: 'option', correct: true, reasoning: 'The prediction names option A; the reference is option A.' });
    expect(decide(mcq, 'The answer is D.')).toMatchObject({ by: 'option', correct: false });
  });

  it('sends a multiple-choice prediction without a letter to the judge, with the reference letter', () => {
    expect(decide(mcq, 'It shows 18.')).toEqual({
      by: 'judge',
      input: { question: MCQ_TEXT, reference: '18', referenceOption: 'A', prediction: 'It shows 18.' },
    });
  });

  it('sends open-ended predictions to the judge even when they look like a letter', () => {
    expect(decide(open, 'A')).toMatchObject({ by: 'judge', input: { referenceOption: null } });
  });

  it('scores no prediction as wrong without asking anyone', () => {
    expect(decide(mcq, null)).toMatchObject({ by: 'no-answer', correct: false });
    expect(decide(open, '  ')).toMatchObject({ by: 'no-answer', correct: false });
  });
});
