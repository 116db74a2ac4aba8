import { describe, expect, it } from 'vitest';
import { mergeSpans, overlaps, subtractSpans, totalLength } from '../../../src/speech/spans';

describe('mergeSpans', () => {
  it('sorts, joins overlapping and touching spans, drops empty ones', () => {
    expect(
      mergeSpans([
        { start: 5, end: 7 },
        { start: 0, end: 2 },
        { start: 1, end: 3 },
        { start: 3, end: 4 },
        { start: 9, end: 9 },
      ]),
    ).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 7 },
    ]);
  });

  it('joins spans closer than the gap', () => {
    expect(mergeSpans([{ start: 0, end: 1 }, { start: 1.5, end: 2 }, { start: 4, end: 5 }], 0.5)).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 5 },
    ]);
  });

  it('does not mutate its input', () => {
    const input = [{ start: 0, end: 1 }, { start: 0.5, end: 2 }];
    mergeSpans(input);
    expect(input).toEqual([{ start: 0, end: 1 }, { start: 0.5, end: 2 }]);
  });
});

describe('subtractSpans', () => {
  it('returns the whole window when nothing is covered', () => {
    expect(subtractSpans({ start: 2, end: 8 }, [])).toEqual([{ start: 2, end: 8 }]);
  });

  it('returns the gaps around and between covered spans', () => {
    expect(subtractSpans({ start: 0, end: 10 }, [{ start: 6, end: 7 }, { start: 2, end: 4 }, { start: 3, end: 5 }])).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 6 },
      { start: 7, end: 10 },
    ]);
  });

  it('ignores covered spans outside the window and handles full cover', () => {
    expect(subtractSpans({ start: 5, end: 8 }, [{ start: 0, end: 2 }, { start: 9, end: 12 }])).toEqual([{ start: 5, end: 8 }]);
    expect(subtractSpans({ start: 5, end: 8 }, [{ start: 0, end: 6 }, { start: 6, end: 9 }])).toEqual([]);
  });
});

describe('helpers', () => {
  it('totalLength and overlaps', () => {
    expect(totalLength([{ start: 0, end: 2 }, { start: 5, end: 5.5 }])).toBe(2.5);
    expect(overlaps({ start: 0, end: 2 }, { start: 1, end: 3 })).toBe(true);
    expect(overlaps({ start: 0, end: 2 }, { start: 2, end: 3 })).toBe(false);
  });
});
