import { describe, expect, it } from 'vitest';
import { evenlySpacedTimes, nearerKeyTime, spreadTimes } from '../../../src/media/frame-times';

describe('frame times', () => {
  it('spreads instants over the middles of equal slices', () => {
    expect(spreadTimes(0, 10, 5)).toEqual([1, 3, 5, 7, 9]);
    expect(spreadTimes(100, 101, 1)).toEqual([100.5]);
  });

  it('spaces instants evenly with both ends included', () => {
    expect(evenlySpacedTimes(10, 19, 10)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(evenlySpacedTimes(5, 5, 10)).toEqual([5]);
  });

  it('picks the nearer key frame', () => {
    expect(nearerKeyTime(3.1, 2, 4)).toBe(4);
    expect(nearerKeyTime(2.9, 2, 4)).toBe(2);
    expect(nearerKeyTime(3, 2, 4)).toBe(2);
    expect(nearerKeyTime(1, null, 4)).toBe(4);
    expect(nearerKeyTime(9, 8, null)).toBe(8);
  });
});
