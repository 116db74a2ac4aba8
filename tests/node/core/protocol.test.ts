import { describe, expect, it } from 'vitest';
import {
  MAX_SKIM_FRAMES,
  MAX_STAGE2_STEPS,
  MAX_TOOL_RESULTS_IN_CONTEXT,
  WINDOW_CAP_SECONDS,
  toolDefinitions,
} from '../../../src/core/protocol';
import { skimFrameCount } from '../../../src/media/frame-times';

describe('protocol constants', () => {
  it('match the SAGE protocol', () => {
    expect(MAX_STAGE2_STEPS).toBe(10);
    expect(MAX_TOOL_RESULTS_IN_CONTEXT).toBe(10);
    expect(MAX_SKIM_FRAMES).toBe(128);
    expect(WINDOW_CAP_SECONDS).toEqual({
      verbal_transcript: 600,
      identify_timestamps_visually: 600,
      extract_parts_from_timestamp: 300,
    });
  });
});

describe('toolDefinitions', () => {
  it('names the tools and their arguments exactly as SAGE-MM was trained on', () => {
    const shapes = Object.fromEntries(
      toolDefinitions({ includeWebTools: true }).map((tool) => [tool.name, Object.keys(tool.parameters.properties ?? {})]),
    );
    expect(shapes).toEqual({
      verbal_transcript: ['video_path', 'timestamp_start', 'timestamp_end'],
      identify_timestamps_visually: ['video_path', 'event', 'timestamp_start', 'timestamp_end'],
      extract_parts_from_timestamp: ['video_path', 'timestamp_start', 'timestamp_end', 'extract_type'],
      perform_reasoning: ['query', 'media_paths'],
      unified_web_search: ['query', 'search_type', 'num_results'],
      parse_web_data: ['website_url', 'max_content_length'],
    });
  });

  it('leaves the web tools out when there is no search provider', () => {
    expect(toolDefinitions({ includeWebTools: false }).map((tool) => tool.name)).toEqual([
      'verbal_transcript',
      'identify_timestamps_visually',
      'extract_parts_from_timestamp',
      'perform_reasoning',
    ]);
  });

  it('requires only arguments that exist', () => {
    for (const tool of toolDefinitions({ includeWebTools: true })) {
      const names = Object.keys(tool.parameters.properties ?? {});
      for (const required of tool.parameters.required ?? []) expect(names).toContain(required);
    }
  });
});

describe('skimFrameCount', () => {
  it.each([
    [0.4, 1],
    [20, 20],
    [20.5, 21],
    [128, 128],
    [7200, 128],
    [0, 0],
    [-1, 0],
    [Number.NaN, 0],
  ])('gives a %d s video %d frames', (duration, frames) => {
    expect(skimFrameCount(duration)).toBe(frames);
  });
});
