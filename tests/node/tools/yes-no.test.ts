import { describe, expect, it } from 'vitest';
import { parseYesNo } from '../../../src/tools/yes-no';

describe('parseYesNo', () => {
  it.each([
    ['yes', true],
    ['Yes.', true],
    ['**YES**', true],
    [' yes, the man is running', true],
    ['The answer is yes.', true],
    ['No', false],
    ['no.', false],
    ['NO!', false],
    ['No, there is no dog. Yes.', false],
    ['Nope', false],
  ])('%j → %s', (reply, verdict) => {
    expect(parseYesNo(reply)).toBe(verdict);
  });

  it('is null when the reply commits to neither', () => {
    for (const reply of ['', 'maybe', 'I cannot tell', 'The frame shows a kitchen.', 'yesterday', 'nobody', 'know']) {
      expect(parseYesNo(reply), reply).toBeNull();
    }
  });
});
