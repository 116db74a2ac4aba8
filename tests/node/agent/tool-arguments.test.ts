import { describe, expect, it } from 'vitest';
import { checkToolArguments } from '../../../src/agent/tool-arguments';

const context = { duration: 1800, videoName: 'cooking.mp4' };

function problemOf(result: ReturnType<typeof checkToolArguments>): string {
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.call)}`);
  return result.problem;
}

describe('checkToolArguments', () => {
  it('gives windowed tools seconds and shows them to the model as HH:MM:SS', () => {
    const result = checkToolArguments(
      'verbal_transcript',
      { video_path: 'cooking.mp4', timestamp_start: '01:00', timestamp_end: '00:03:30' },
      context,
    );
    expect(result).toEqual({
      ok: true,
      call: {
        name: 'verbal_transcript',
        args: { video_path: 'cooking.mp4', timestamp_start: 60, timestamp_end: 210 },
        display: { video_path: 'cooking.mp4', timestamp_start: '00:01:00', timestamp_end: '00:03:30' },
        repairs: [],
        window: { start: 60, end: 210 },
      },
    });
  });

  it('always points video_path at the loaded video', () => {
    const result = checkToolArguments('verbal_transcript', { video_path: '/tmp/x.mp4', timestamp_start: 0, timestamp_end: 10 }, context);
    expect(result.ok && result.call.args).toMatchObject({ video_path: 'cooking.mp4' });
  });

  it('fills a missing start or end and says so', () => {
    const filled = checkToolArguments('extract_parts_from_timestamp', { timestamp_start: '00:28:00' }, context);
    expect(filled.ok && filled.call.args).toEqual({
      video_path: 'cooking.mp4',
      timestamp_start: 1680,
      timestamp_end: 1800,
      extract_type: 'frames',
    });
    expect(filled.ok && filled.call.repairs.join(' ')).toContain('timestamp_end was missing');
    const whole = checkToolArguments('verbal_transcript', {}, context);
    expect(whole.ok && whole.call.args).toMatchObject({ timestamp_start: 0, timestamp_end: 1800 });
  });

  it('runs windows past a documented cap instead of rejecting them', () => {
    const sixMinutes = { timestamp_start: '00:00:00', timestamp_end: '00:06:00' };
    expect(checkToolArguments('extract_parts_from_timestamp', sixMinutes, context).ok).toBe(true);
    const sixteenMinutes = { timestamp_start: '00:00', timestamp_end: '16:00', event: 'eggs' };
    const grounding = checkToolArguments('identify_timestamps_visually', sixteenMinutes, context);
    expect(grounding.ok && grounding.call.args).toMatchObject({ timestamp_start: 0, timestamp_end: 960 });
  });

  it('requires the event to look for', () => {
    const problem = problemOf(checkToolArguments('identify_timestamps_visually', { timestamp_start: 0, timestamp_end: 60 }, context));
    expect(problem).toContain('event is missing');
  });

  it('accepts extract_type in singular or capitalised, and rejects anything else', () => {
    const args = { timestamp_start: 0, timestamp_end: 60 };
    const subclip = checkToolArguments('extract_parts_from_timestamp', { ...args, extract_type: 'Subclip' }, context);
    expect(subclip.ok && subclip.call.args).toMatchObject({ extract_type: 'subclips' });
    const problem = problemOf(checkToolArguments('extract_parts_from_timestamp', { ...args, extract_type: 'audio' }, context));
    expect(problem).toContain('extract_type "audio"');
  });

  it('takes media_paths as a list, a single id, or nothing', () => {
    const list = checkToolArguments('perform_reasoning', { query: 'q', media_paths: ['a', 'b'] }, context);
    expect(list.ok && list.call.args).toEqual({ query: 'q', media_paths: ['a', 'b'] });
    const single = checkToolArguments('perform_reasoning', { query: 'q', media_paths: 'a' }, context);
    expect(single.ok && single.call.args).toMatchObject({ media_paths: ['a'] });
    const none = checkToolArguments('perform_reasoning', { query: 'q' }, context);
    expect(none.ok && none.call.args).toMatchObject({ media_paths: [] });
    expect(problemOf(checkToolArguments('perform_reasoning', { query: 'q', media_paths: [1] }, context))).toContain('media_paths');
    expect(problemOf(checkToolArguments('perform_reasoning', { media_paths: [] }, context))).toContain('query is missing');
  });

  it('defaults and clamps web search arguments', () => {
    const plain = checkToolArguments('unified_web_search', { query: 'cake recipe' }, context);
    expect(plain.ok && plain.call.args).toEqual({ query: 'cake recipe', search_type: 'web', num_results: 3 });
    const many = checkToolArguments('unified_web_search', { query: 'q', num_results: '50' }, context);
    expect(many.ok && many.call.args).toMatchObject({ num_results: 10 });
    expect(many.ok && many.call.repairs.join(' ')).toContain('num_results 50');
    expect(problemOf(checkToolArguments('unified_web_search', { query: 'q', search_type: 'images' }, context))).toContain('use "web"');
    expect(problemOf(checkToolArguments('unified_web_search', { query: 'q', num_results: 'lots' }, context))).toContain('whole number');
  });

  it('checks web page addresses and defaults the length', () => {
    const page = checkToolArguments('parse_web_data', { website_url: 'example.com/cake' }, context);
    expect(page.ok && page.call.args).toEqual({ website_url: 'https://example.com/cake', max_content_length: 5000 });
    expect(problemOf(checkToolArguments('parse_web_data', { website_url: 'ftp://example.com' }, context))).toContain('web address');
    expect(problemOf(checkToolArguments('parse_web_data', {}, context))).toContain('website_url is missing');
    expect(problemOf(checkToolArguments('parse_web_data', { website_url: 'https://a.b', max_content_length: 0 }, context))).toContain(
      'positive',
    );
  });
});
