import { describe, expect, it } from 'vitest';
import { wordErrors, words } from '../../../bench/wer';

describe('word error rate', () => {
  it('ignores case and punctuation', () => {
    expect(words('The quick, brown fox… "jumps"!')).toEqual(['the', 'quick', 'brown', 'fox', 'jumps']);
    expect(wordErrors('the quick brown fox', 'The quick brown fox.')).toEqual({ wer: 0, substitutions: 0, deletions: 0, insertions: 0, referenceWords: 4 });
  });

  it('counts substitutions, deletions and insertions by the cheapest alignment', () => {
    expect(wordErrors('the cat sat on the mat', 'the cat sat on a mat')).toMatchObject({ substitutions: 1, deletions: 0, insertions: 0 });
    expect(wordErrors('the cat sat on the mat', 'the cat on the mat')).toMatchObject({ substitutions: 0, deletions: 1, insertions: 0 });
    expect(wordErrors('the cat sat on the mat', 'oh the cat sat on the mat today')).toMatchObject({ substitutions: 0, deletions: 0, insertions: 2 });
    expect(wordErrors('one two three four five', 'one too three five')).toEqual({ wer: 2 / 5, substitutions: 1, deletions: 1, insertions: 0, referenceWords: 5 });
  });

  it('can exceed 1 when the hypothesis is mostly extra words, and handles empty sides', () => {
    expect(wordErrors('yes', 'no no no').wer).toBe(3);
    expect(wordErrors('', '').wer).toBe(0);
    expect(wordErrors('', 'music').wer).toBe(1);
    expect(wordErrors('two words', '')).toMatchObject({ wer: 1, deletions: 2 });
  });
});
