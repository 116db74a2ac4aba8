import { describe, expect, it } from 'vitest';
import { extractPartsTool } from '../../../src/tools/extract-parts';
import { FrameStore } from '../../../src/tools/frame-store';
import { FakeExtractor, context } from './fakes';

const args = { video_path: 'v.mp4', timestamp_start: 60, timestamp_end: 69, extract_type: 'frames' as const };

describe('extract_parts_from_timestamp', () => {
  it('stores ten high-resolution frames of the window and lists their ids and times', async () => {
    const media = new FakeExtractor();
    const store = new FrameStore();
    const output = await extractPartsTool(media, store).run(args, context());
    expect(media.calls).toEqual([{ start: 60, end: 69, count: 10, maxSide: 768, format: 'jpeg' }]);
    expect(store.size).toBe(10);
    const ids = Array.from({ length: 10 }, (_, i) => `frame_${i + 1}`);
    expect(output.frames?.map((f) => f.id)).toEqual(ids);
    expect(output.frames?.[1]?.timestamp).toBe(61);
    expect(output.spans).toEqual([{ start: 60, end: 69 }]);
    expect(output.text).toContain('Extracted 10 frames between 00:01:00-00:01:09.');
    expect(output.text).toContain(`media_paths: ${JSON.stringify(ids)}`);
    expect(output.text).toContain('frame_1 at 00:01:00\n');
    expect(output.text).toContain('frame_10 at 00:01:09');
    expect(output.text).not.toMatch(/subclip/i);
  });

  it('prints tenths when frames are less than a second apart', async () => {
    const output = await extractPartsTool(new FakeExtractor(), new FrameStore()).run(
      { ...args, timestamp_start: 1, timestamp_end: 2.8 },
      context(),
    );
    expect(output.text).toContain('frame_2 at 00:00:01.2');
    expect(output.text).toContain('frame_10 at 00:00:02.8');
  });

  it('says plainly that subclips are given as frames', async () => {
    const output = await extractPartsTool(new FakeExtractor(), new FrameStore()).run(
      { ...args, extract_type: 'subclips' },
      context(),
    );
    expect(output.text).toMatch(/^Subclips cannot be cut in the browser, so the window is given as frames instead\./);
    expect(output.frames).toHaveLength(10);
  });

  it('ids keep counting across extractions', async () => {
    const store = new FrameStore();
    const tool = extractPartsTool(new FakeExtractor(), store);
    await tool.run(args, context());
    const second = await tool.run(args, context());
    expect(second.frames?.[0]?.id).toBe('frame_11');
  });
});
