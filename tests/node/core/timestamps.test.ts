import { describe, expect, it } from 'vitest';
import { checkWindow, parseTimestamp } from '../../../src/core/timestamps';

describe('parseTimestamp', () => {
  it.each([
    ['01:02:03', 3723],
    ['1:02:03', 3723],
    ['02:03', 123],
    ['75:00', 4500],
    ['45', 45],
    ['90', 90],
    ['00:00:12.5', 12.5],
    ['00:01:02,250', 62.25],
    ['12.5s', 12.5],
    [' 00:10 ', 10],
    [42, 42],
    [0.5, 0.5],
  ])('reads %j as %d seconds', (input, seconds) => {
    expect(parseTimestamp(input)).toEqual({ ok: true, seconds });
  });

  it.each(['', 'abc', '1:2:3:4', '00:61', '01:60:00', '-5', '1h', '00:aa:10', null, undefined, {}, -3, Number.NaN])(
    'rejects %j with a hint about the format',
    (input) => {
      const result = parseTimestamp(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toContain('HH:MM:SS');
    },
  );
});

describe('checkWindow', () => {
  const duration = 1800;

  it('accepts an ordered window inside the video', () => {
    expect(checkWindow('00:01:00', '00:02:00', { duration })).toEqual({ ok: true, window: { start: 60, end: 120 }, repairs: [] });
  });

  it('swaps a window given end first and says so', () => {
    const result = checkWindow('00:05:00', '00:02:00', { duration });
    expect(result.ok && result.window).toEqual({ start: 120, end: 300 });
    expect(result.ok && result.repairs.join(' ')).toContain('swapped');
  });

  it('clamps an end past the video to the duration', () => {
    const result = checkWindow('00:25:00', '00:40:00', { duration });
    expect(result.ok && result.window).toEqual({ start: 1500, end: 1800 });
    expect(result.ok && result.repairs.join(' ')).toContain('past the end');
  });

  it('rejects a window that starts at or after the end of the video', () => {
    const result = checkWindow('00:31:00', '00:35:00', { duration });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain('after the end of the video');
  });

  it('rejects an empty window', () => {
    const result = checkWindow('00:02:00', '120', { duration });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain('before timestamp_end');
  });

  it('keeps a window longer than any tool cap (the release runs such windows)', () => {
    expect(checkWindow('00:00:00', '16:00', { duration })).toEqual({ ok: true, window: { start: 0, end: 960 }, repairs: [] });
  });

  it('reads two-part times past the first hour as minutes and seconds', () => {
    // Released traces write "57:08" on a 58-minute video.
    expect(checkWindow('55:10', '57:08', { duration: 3500 })).toMatchObject({ ok: true, window: { start: 3310, end: 3428 } });
  });

  it('names the field whose time cannot be read', () => {
    const result = checkWindow('00:01:00', 'soon', { duration });
    expect(!result.ok && result.problem).toMatch(/^timestamp_end: "soon" is not a time/);
  });
});
