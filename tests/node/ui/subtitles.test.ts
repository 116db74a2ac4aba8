import { describe, expect, it } from 'vitest';
import { searchSegments, toSrt, toWebVtt } from '../../../src/ui/subtitles';

const segments = [
  { start: 2.04, end: 5.5, text: ' The quick brown fox jumps over the lazy dog. ' },
  { start: 3661.25, end: 3663, text: 'Tom & Jerry <live>' },
];

describe('SRT', () => {
  it('numbers cues from 1 with comma milliseconds and hours', () => {
    expect(toSrt(segments)).toBe(
      '1\n00:00:02,040 --> 00:00:05,500\nThe quick brown fox jumps over the lazy dog.\n\n' +
        '2\n01:01:01,250 --> 01:01:03,000\nTom & Jerry <live>\n',
    );
  });

  it('skips empty text, gives zero-length cues a second, and folds line breaks', () => {
    expect(toSrt([{ start: 1, end: 1, text: 'a\n\nb' }, { start: 4, end: 5, text: '  ' }])).toBe('1\n00:00:01,000 --> 00:00:02,000\na b\n');
  });

  it('is empty for no segments', () => {
    expect(toSrt([])).toBe('');
  });
});

describe('WebVTT', () => {
  it('starts with the header, uses dot milliseconds and escapes markup characters', () => {
    expect(toWebVtt(segments)).toBe(
      'WEBVTT\n\n00:00:02.040 --> 00:00:05.500\nThe quick brown fox jumps over the lazy dog.\n\n' +
        '01:01:01.250 --> 01:01:03.000\nTom &amp; Jerry &lt;live&gt;\n',
    );
  });

  it('is a valid empty file for no segments', () => {
    expect(toWebVtt([])).toBe('WEBVTT\n');
  });
});

describe('transcript search', () => {
  it('keeps segments containing every word, ignoring case and order', () => {
    expect(searchSegments(segments, 'DOG quick')).toEqual([segments[0]]);
    expect(searchSegments(segments, 'jerry fox')).toEqual([]);
    expect(searchSegments(segments, '  ')).toEqual(segments);
  });
});
