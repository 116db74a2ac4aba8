import { describe, expect, it } from 'vitest';
import { errorsByBorder, wordErrors, words } from '../../../bench/wer';

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

describe('errors by border', () => {
  const sentences = [
    { start: 0, end: 3, text: 'the river is cold' },
    { start: 28, end: 32, text: 'a farmer crossed the bridge' },
    { start: 40, end: 43, text: 'the market opens early' },
  ];

  it('scores sentences across a border apart from the rest, each segment once', () => {
    const segments = [
      { start: 0, end: 3, text: 'The river is cold.' },
      // The border at 30 s cut the sentence: two fragments, one word lost, one invented.
      { start: 28, end: 30, text: 'A farmer cross' },
      { start: 30, end: 32.5, text: 'the bridge. Thanks.' },
      { start: 39.8, end: 43, text: 'The market opens early.' },
    ];
    const { near, elsewhere } = errorsByBorder(sentences, segments, [30, 60]);
    expect(near).toEqual({ wer: 2 / 5, substitutions: 1, deletions: 0, insertions: 1, referenceWords: 5, sentences: 1 });
    expect(elsewhere).toEqual({ wer: 0, substitutions: 0, deletions: 0, insertions: 0, referenceWords: 8, sentences: 2 });
  });

  it('gives a segment that overlaps no sentence to the nearest one', () => {
    const { near, elsewhere } = errorsByBorder(sentences, [{ start: 44, end: 45, text: 'music' }], [30]);
    expect(elsewhere).toMatchObject({ substitutions: 1, deletions: 7, insertions: 0 });
    expect(near).toMatchObject({ substitutions: 0, deletions: 5, insertions: 0 });
  });
});
