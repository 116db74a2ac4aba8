import { describe, expect, it } from 'vitest';
import { formatClipTime, formatFrameTime, formatTimestamp, formatTimestampFloor } from '../../../src/core/time';

describe('formatTimestamp', () => {
  it.each([
    [0, '00:00:00'],
    [59.4, '00:00:59'],
    [59.5, '00:01:00'],
    [61, '00:01:01'],
    [3723, '01:02:03'],
    [36000, '10:00:00'],
    [360000, '100:00:00'],
    [-4, '00:00:00'],
  ])('formats %d as %s', (seconds, text) => {
    expect(formatTimestamp(seconds)).toBe(text);
  });
});

describe('formatTimestampFloor', () => {
  it('formats HH:MM:SS, rounding down', () => {
    expect(formatTimestampFloor(0)).toBe('00:00:00');
    expect(formatTimestampFloor(59.9)).toBe('00:00:59');
    expect(formatTimestampFloor(3723)).toBe('01:02:03');
    expect(formatTimestampFloor(-3)).toBe('00:00:00');
  });
});

describe('formatFrameTime', () => {
  it.each([
    [0, '00:00:00'],
    [12, '00:00:12'],
    [12.04, '00:00:12'],
    [12.5, '00:00:12.5'],
    [59.96, '00:01:00'],
    [3723.25, '01:02:03.3'],
    [-1, '00:00:00'],
  ])('formats %d as %s', (seconds, text) => {
    expect(formatFrameTime(seconds)).toBe(text);
  });
});

describe('formatClipTime (the release frame names)', () => {
  it.each([
    [0, '00:00'],
    [59.9, '00:59'],
    [3428, '57:08'],
    [3600, '01:00:00'],
    [3723.7, '01:02:03'],
  ])('%s s is %s', (seconds, text) => {
    expect(formatClipTime(seconds)).toBe(text);
  });
});
