import { describe, expect, it } from 'vitest';
import { markerLayout, MIN_MARKER_WIDTH } from '../../../src/ui/timeline';

describe('evidence markers', () => {
  it('merges overlapping and touching spans and places them as fractions', () => {
    expect(markerLayout([{ start: 50, end: 60 }, { start: 10, end: 20 }, { start: 20, end: 30 }, { start: 55, end: 70 }], 100)).toEqual([
      { start: 10, end: 30, left: 0.1, width: 0.2 },
      { start: 50, end: 70, left: 0.5, width: 0.2 },
    ]);
  });

  it('widens points so they show, keeps them inside, and clamps and unswaps times', () => {
    const [point] = markerLayout([{ start: 1000, end: 1000 }], 1000);
    expect(point!.width).toBe(MIN_MARKER_WIDTH);
    expect(point!.left + point!.width).toBeLessThanOrEqual(1);
    expect(markerLayout([{ start: 80, end: -5 }], 40)).toEqual([{ start: 0, end: 40, left: 0, width: 1 }]);
  });

  it('has nothing to place without a duration', () => {
    expect(markerLayout([{ start: 1, end: 2 }], 0)).toEqual([]);
  });
});
