import { describe, expect, it } from 'vitest';
import { searchTranscript } from '../../../src/tools/transcript-search';

const lecture = [
  { start: 1, end: 6, text: 'Today we talk about how plants make their food.' },
  { start: 14, end: 19, text: 'Sunlight falls on the leaves of the plant.' },
  { start: 29, end: 33, text: 'The green pigment in leaves is called chlorophyll.' },
  { start: 45, end: 49, text: 'Roots take water from the soil.' },
  { start: 65, end: 69, text: 'Plants release oxygen as a by-product.' },
];

describe('searchTranscript', () => {
  it('ranks the passage that answers first, matching stemmed words and ignoring stop words', async () => {
    const { passages, terms } = await searchTranscript(lecture, 'What is the green pigment called?');
    expect(terms).not.toContain('what');
    expect(passages[0]).toMatchObject({ start: 29, text: expect.stringContaining('chlorophyll') });
    expect(passages[0]!.coverage).toBe(1);
    // "released" and "oxygens" meet "release" and "oxygen" through the stemmer.
    const oxygen = await searchTranscript(lecture, 'When are oxygens released?');
    expect(oxygen.passages[0]).toMatchObject({ start: 65, coverage: 1 });
  });

  it('a passage starts where its matching words are spoken, and overlapping passages come once', async () => {
    const { passages } = await searchTranscript(lecture, 'leaves');
    expect(passages.map((p) => p.start)).toEqual(expect.arrayContaining([14]));
    for (const a of passages) for (const b of passages) if (a !== b) expect(a.start < b.end && b.start < a.end).toBe(false);
  });

  it('finds nothing for a question of stop words only, or an empty transcript', async () => {
    expect((await searchTranscript(lecture, 'what is it?')).passages).toEqual([]);
    expect((await searchTranscript([], 'chlorophyll')).passages).toEqual([]);
    expect((await searchTranscript(lecture, 'photosynthesis')).passages).toEqual([]);
  });
});
