import { describe, expect, it } from 'vitest';
import { describeStage, describeToolCall, describeWork, splitTimestamps } from '../../../src/ui/step-text';

describe('tool calls in words', () => {
  it('says what each tool does over which stretch', () => {
    expect(describeToolCall('verbal_transcript', { timestamp_start: '00:02:10', timestamp_end: '00:04:40' })).toBe('Listening to 02:10–04:40');
    expect(describeToolCall('extract_parts_from_timestamp', { timestamp_start: '00:31:05', timestamp_end: '00:31:50', extract_type: 'frames' })).toBe(
      'Looking closely at 10 frames from 31:05–31:50',
    );
    expect(describeToolCall('extract_parts_from_timestamp', { timestamp_start: '1:00:00', timestamp_end: '1:01:00', extract_type: 'subclips' })).toBe(
      'Watching a clip of 1:00:00–1:01:00',
    );
    expect(describeToolCall('identify_timestamps_visually', { event: 'a goal', timestamp_start: '10:00', timestamp_end: '20:00' })).toBe(
      'Searching 10:00–20:00 for “a goal”',
    );
    expect(describeToolCall('perform_reasoning', { query: 'Who wins?', media_paths: ['frame_1', 'frame_2'] })).toBe('Thinking over 2 frames: “Who wins?”');
    expect(describeToolCall('perform_reasoning', { query: 'Sum up', media_paths: [] })).toBe('Thinking: “Sum up”');
    expect(describeToolCall('unified_web_search', { query: 'cast' })).toBe('Searching the web for “cast”');
    expect(describeToolCall('parse_web_data', { website_url: 'https://example.org/a' })).toBe('Reading https://example.org/a');
    expect(describeToolCall('draw_picture', {})).toBe('Trying “draw_picture”, which is not a tool');
  });

  it('copes with arguments the model got wrong', () => {
    expect(describeToolCall('verbal_transcript', { timestamp_start: 'soon' })).toBe('Listening to part of the video');
    expect(describeToolCall('identify_timestamps_visually', { event: 'x'.repeat(200), timestamp_start: 0, timestamp_end: 5 })).toMatch(/…”$/);
  });

  it('names stages', () => {
    expect(describeStage(1, 0, 128)).toBe('Looking over the whole video (128 skim frames)');
    expect(describeStage(1, 0, 0)).toBe('Reading the question');
    expect(describeStage(2, 3, 128)).toBe('Step 3: weighing what was found');
  });
});

describe('work before the first token in words', () => {
  it('counts vision passes and prompt tokens', () => {
    expect(describeWork({ phase: 'vision', done: 3, total: 8 })).toBe('Looking at the frames: 3 of 8 vision passes');
    expect(describeWork({ phase: 'prefill', done: 1065, total: 5900 })).toBe('Reading the prompt: 1,065 of 5,900 tokens');
  });
});

describe('timestamps in text', () => {
  it('finds single times and ranges in several forms', () => {
    expect(splitTimestamps('At 02:10 and 1:02:03.5 then 00:00:05-00:00:09 or 3:00 to 3:30.')).toEqual([
      { text: 'At ' },
      { text: '02:10', seconds: 130 },
      { text: ' and ' },
      { text: '1:02:03.5', seconds: 3723.5 },
      { text: ' then ' },
      { text: '00:00:05-00:00:09', seconds: 5, end: 9 },
      { text: ' or ' },
      { text: '3:00 to 3:30', seconds: 180, end: 210 },
      { text: '.' },
    ]);
  });

  it('leaves times past the end, clock-like numbers and plain text alone', () => {
    expect(splitTimestamps('at 09:00', 120)).toEqual([{ text: 'at 09:00' }]);
    expect(splitTimestamps('ratio 12:345 and 1.2:30')).toEqual([{ text: 'ratio 12:345 and 1.2:30' }]);
    expect(splitTimestamps('')).toEqual([]);
  });

  it('keeps a range start when its end is past the video', () => {
    expect(splitTimestamps('00:10-05:00', 60)).toEqual([{ text: '00:10-05:00', seconds: 10 }]);
  });
});
