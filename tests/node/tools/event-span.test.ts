import { describe, expect, it } from 'vitest';
import { selectEventSpan, type ScoredSlice } from '../../../src/tools/event-span';

/** One-second slices from `start`, scored as given. */
function slices(scores: number[], start = 0): ScoredSlice[] {
  return scores.map((score, i) => ({ start: start + i, end: start + i + 1, score }));
}

describe('selectEventSpan', () => {
  it('is null when nothing scores', () => {
    expect(selectEventSpan(slices([0, 0, 0.2, 0]))).toBeNull();
    expect(selectEventSpan([])).toBeNull();
  });

  it('spans the matching run, from the start of its first slice to the end of its last', () => {
    expect(selectEventSpan(slices([0, 0, 1, 1, 1, 0, 0], 100))).toEqual({ start: 102, end: 105 });
    expect(selectEventSpan(slices([1]))).toEqual({ start: 0, end: 1 });
  });

  it('picks the run with the most evidence; ties go to the earliest', () => {
    expect(selectEventSpan(slices([1, 0, 0, 1, 1, 1, 0]))).toEqual({ start: 3, end: 6 });
    expect(selectEventSpan(slices([1, 1, 0, 0, 1, 1]))).toEqual({ start: 0, end: 2 });
    expect(selectEventSpan(slices([0.6, 0.6, 0, 0, 0.9, 0.9]))).toEqual({ start: 4, end: 6 });
  });

  it('bridges a single missed frame inside an event, but not a longer gap', () => {
    expect(selectEventSpan(slices([0, 1, 1, 0, 1, 1, 0]))).toEqual({ start: 1, end: 6 });
    expect(selectEventSpan(slices([1, 1, 0, 0, 1, 0]))).toEqual({ start: 0, end: 2 });
    expect(selectEventSpan(slices([0, 1, 1, 0, 1, 1, 0]), { maxGap: 0 })).toEqual({ start: 1, end: 3 });
    // A trailing miss is not part of the run.
    expect(selectEventSpan(slices([1, 1, 0]))).toEqual({ start: 0, end: 2 });
  });

  it('uses the threshold for continuous scores (an embedding scorer)', () => {
    const scored = slices([0.1, 0.3, 0.35, 0.2]);
    expect(selectEventSpan(scored)).toBeNull();
    expect(selectEventSpan(scored, { threshold: 0.3 })).toEqual({ start: 1, end: 3 });
  });
});
