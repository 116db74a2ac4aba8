import { describe, expect, it } from 'vitest';
import type { TimedEvent } from '../../../eval/records';
import { stageSeconds } from '../../../eval/timing';

describe('stageSeconds', () => {
  it('splits a multi-turn run into skim wait, model calls per stage and time per tool', () => {
    const events: TimedEvent[] = [
      { t: 400, type: 'stage-started', stage: 1, step: 0 },
      { t: 1400, type: 'tool-called', step: 0, name: 'verbal_transcript', label: 'verbal_transcript_#1' },
      { t: 4400, type: 'tool-result', step: 0, name: 'verbal_transcript', label: 'verbal_transcript_#1', isError: false },
      { t: 4500, type: 'stage-started', stage: 2, step: 1 },
      { t: 5000, type: 'tool-called', step: 1, name: 'extract_parts_from_timestamp', label: 'extract_parts_from_timestamp_#1' },
      { t: 5250, type: 'tool-result', step: 1, name: 'extract_parts_from_timestamp', label: 'extract_parts_from_timestamp_#1', isError: true },
      { t: 5300, type: 'stage-started', stage: 2, step: 2 },
      { t: 5400, type: 'tool-result', step: 2, name: 'system_note', label: 'system_note_#1', isError: false },
      { t: 5450, type: 'stage-started', stage: 2, step: 3 },
      { t: 6450, type: 'tool-called', step: 3, name: 'verbal_transcript', label: 'verbal_transcript_#2' },
      { t: 7450, type: 'tool-result', step: 3, name: 'verbal_transcript', label: 'verbal_transcript_#2', isError: false },
      { t: 7500, type: 'stage-started', stage: 2, step: 4 },
      { t: 8000, type: 'answer' },
    ];
    expect(stageSeconds(250, events)).toEqual({
      open: 0.25,
      skim: 0.4,
      stage1: 1,
      // Steps 1 to 4: 0.5 s, 0.1 s (a reply without a call), 1 s and 0.5 s.
      stage2: 2.1,
      tools: { verbal_transcript: 4, extract_parts_from_timestamp: 0.25 },
      total: 8.25,
    });
  });

  it('times a single-turn answer as Stage 1 alone', () => {
    expect(stageSeconds(100, [{ t: 50, type: 'stage-started', stage: 1, step: 0 }, { t: 2050, type: 'answer' }])).toEqual({
      open: 0.1, skim: 0.05, stage1: 2, stage2: 0, tools: {}, total: 2.15,
    });
  });

  it('has only the open time when the file never got a question', () => {
    expect(stageSeconds(1234, [])).toEqual({ open: 1.234, skim: 0, stage1: 0, stage2: 0, tools: {}, total: 1.234 });
  });
});
