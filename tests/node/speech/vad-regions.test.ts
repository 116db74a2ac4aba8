import { describe, expect, it } from 'vitest';
import {
  compactLayout,
  compactToSource,
  gatherSamples,
  mapSegments,
  speechRegions,
  splitLongRegions,
  windowLayouts,
} from '../../../src/speech/vad-regions';

/** Probabilities at 0.1 s per frame from a pattern string: '#' speech (0.9), '-' dip (0.4), '.' silence (0.05). */
function probs(pattern: string): number[] {
  return [...pattern].map((c) => (c === '#' ? 0.9 : c === '-' ? 0.4 : 0.05));
}

const noPad = { padSeconds: 0, mergeGapSeconds: 0, minSpeechSeconds: 0 };

describe('speechRegions', () => {
  it('finds speech runs in frame times', () => {
    expect(speechRegions(probs('..###...##'), 0.1, 1, noPad)).toEqual([
      { start: 0.2, end: expect.closeTo(0.5, 9) },
      { start: 0.8, end: 1 },
    ]);
  });

  it('keeps speech through a dip above the negative threshold (hysteresis)', () => {
    expect(speechRegions(probs('.##--##.'), 0.1, 0.8, noPad)).toEqual([{ start: 0.1, end: expect.closeTo(0.7, 9) }]);
  });

  it('drops detections shorter than the minimum', () => {
    expect(speechRegions(probs('.#....####'), 0.1, 1, { ...noPad, minSpeechSeconds: 0.25 })).toEqual([
      { start: expect.closeTo(0.6, 9), end: 1 },
    ]);
  });

  it('pads regions, clamps to the audio, and merges close ones', () => {
    const regions = speechRegions(probs('#...##..........##'), 0.1, 1.8, {
      padSeconds: 0.1,
      mergeGapSeconds: 0.3,
      minSpeechSeconds: 0,
    });
    // [0,0.1]+pad → [0,0.2]; [0.4,0.6]+pad → [0.3,0.7]: gap 0.1 → merged. [1.6,1.8]+pad → [1.5,1.8].
    expect(regions).toHaveLength(2);
    expect(regions[0]!.start).toBe(0);
    expect(regions[0]!.end).toBeCloseTo(0.7, 9);
    expect(regions[1]!.start).toBeCloseTo(1.5, 9);
    expect(regions[1]!.end).toBe(1.8);
  });

  it('returns nothing for silence', () => {
    expect(speechRegions(probs('..........'), 0.1, 1)).toEqual([]);
  });
});

describe('compact layout', () => {
  const rate = 10; // 10 samples per second keeps the numbers readable
  const regions = [
    { start: 1, end: 2 },
    { start: 2.5, end: 3 },
    { start: 10, end: 12 },
  ];
  const layout = compactLayout(regions, 150, rate, 2);

  it('keeps real gaps up to the cap between pieces', () => {
    expect(layout.pieces).toEqual([
      { sourceStart: 1, sourceEnd: 2, compactStart: 0 },
      { sourceStart: 2.5, sourceEnd: 3, compactStart: 1.5 }, // real gap 0.5 s
      { sourceStart: 10, sourceEnd: 12, compactStart: 4 }, // 7 s gap capped to 2 s
    ]);
    expect(layout.duration).toBe(6);
  });

  it('clamps regions to the audio and skips empty ones', () => {
    const clamped = compactLayout([{ start: -1, end: 0.5 }, { start: 20, end: 30 }], 50, rate, 1);
    expect(clamped.pieces).toEqual([{ sourceStart: 0, sourceEnd: 0.5, compactStart: 0 }]);
    expect(clamped.duration).toBe(0.5);
  });

  it('gathers the samples of each piece with silence between', () => {
    const audio = Float32Array.from({ length: 150 }, (_, i) => i);
    const packed = gatherSamples(audio, layout, rate);
    expect(packed.length).toBe(60);
    expect(Array.from(packed.subarray(0, 10))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(Array.from(packed.subarray(10, 15))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(packed.subarray(15, 20))).toEqual([25, 26, 27, 28, 29]);
    expect(packed[40]).toBe(100);
    expect(packed[59]).toBe(119);
  });

  it('maps packed times back to source times', () => {
    expect(compactToSource(0.5, layout, 'start')).toBe(1.5);
    expect(compactToSource(1.6, layout, 'end')).toBeCloseTo(2.6, 9);
    expect(compactToSource(5, layout, 'start')).toBe(11);
    // Inside the silence between pieces: starts snap forward, ends snap back.
    expect(compactToSource(3, layout, 'start')).toBe(10);
    expect(compactToSource(3, layout, 'end')).toBe(3);
    // Past the end.
    expect(compactToSource(7, layout, 'end')).toBe(12);
  });

  it('maps segments to absolute times', () => {
    const segments = mapSegments(
      [
        { start: 0.2, end: 1.2, text: 'a' },
        { start: 2.5, end: 5.5, text: 'b' },
      ],
      layout,
      100,
    );
    expect(segments).toEqual([
      { start: expect.closeTo(101.2, 9), end: 102, text: 'a' },
      { start: 110, end: expect.closeTo(111.5, 9), text: 'b' },
    ]);
  });
});

describe('splitLongRegions', () => {
  it('leaves regions that fit alone', () => {
    expect(splitLongRegions([{ start: 0.2, end: 1 }], probs('##########'), 0.1, 1)).toEqual([{ start: 0.2, end: 1 }]);
  });

  it('cuts a long region at the quietest frame in the second half of what fits, the latest on ties', () => {
    // 2 s of speech with dips at 0.3 s (first half: never chosen), 0.7 s and 0.8 s; 1 s at most.
    const p = probs('###-###--###########');
    const pieces = splitLongRegions([{ start: 0, end: 2 }], p, 0.1, 1);
    expect(pieces).toEqual([
      { start: 0, end: expect.closeTo(0.85, 9) },
      // No pause in reach: the latest frame that fits.
      { start: expect.closeTo(0.85, 9), end: expect.closeTo(1.75, 9) },
      { start: expect.closeTo(1.75, 9), end: 2 },
    ]);
    // Contiguous, and none longer than the limit.
    for (const [a, b] of pieces.slice(0, -1).map((piece, i) => [piece, pieces[i + 1]!] as const)) expect(b.start).toBe(a.end);
    for (const piece of pieces) expect(piece.end - piece.start).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('prefers a pause to speech', () => {
    const p = probs('######.#########');
    expect(splitLongRegions([{ start: 0, end: 1.6 }], p, 0.1, 1)[0]).toEqual({ start: 0, end: expect.closeTo(0.65, 9) });
  });
});

describe('windowLayouts', () => {
  const rate = 10;

  it('groups whole pieces into windows no longer than the limit, each timed from its start', () => {
    const layout = compactLayout(
      [
        { start: 0, end: 10 },
        { start: 11, end: 25 }, // ends at packed 25
        { start: 40, end: 48 }, // gap capped at 2 s: packed 27-35, over a 30 s window
        { start: 49, end: 50 },
      ],
      600,
      rate,
      2,
    );
    const windows = windowLayouts(layout, 30);
    expect(windows).toEqual([
      {
        pieces: [
          { sourceStart: 0, sourceEnd: 10, compactStart: 0 },
          { sourceStart: 11, sourceEnd: 25, compactStart: 11 },
        ],
        duration: 25,
      },
      {
        pieces: [
          { sourceStart: 40, sourceEnd: 48, compactStart: 0 },
          { sourceStart: 49, sourceEnd: 50, compactStart: 9 },
        ],
        duration: 10,
      },
    ]);
  });

  it('maps each window back to source times on its own', () => {
    const layout = compactLayout([{ start: 0, end: 20 }, { start: 30, end: 45 }], 600, rate, 2);
    const [, second] = windowLayouts(layout, 30);
    expect(mapSegments([{ start: 1, end: 5, text: 'x' }], second!, 100)).toEqual([{ start: 131, end: 135, text: 'x' }]);
  });

  it('gives no window for no speech', () => {
    expect(windowLayouts(compactLayout([], 10, rate, 2), 30)).toEqual([]);
  });
});
