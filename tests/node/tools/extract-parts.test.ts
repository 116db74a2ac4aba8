import { describe, expect, it } from 'vitest';
import { extractPartsTool } from '../../../src/tools/extract-parts';
import { FrameStore } from '../../../src/tools/frame-store';
import { FakeExtractor, context } from './fakes';

const args = { video_path: 'v.mp4', timestamp_start: 60, timestamp_end: 69, extract_type: 'frames' as const };

describe('extract_parts_from_timestamp', () => {
  it('stores ten high-resolution frames of the window and names them as the release does', async () => {
    const media = Object.assign(new FakeExtractor(), { probe: { video: { frameRate: 25 } } });
    const store = new FrameStore();
    const output = await extractPartsTool(media, store).run(args, context());
    expect(media.calls).toEqual([{ start: 60, end: 69, count: 10, maxSide: 768, format: 'jpeg' }]);
    expect(store.size).toBe(10);
    // <video>_frames_<start>_<end>/<video>_frame_<source frame index>_<MM:SS>.jpg
    const ids = Array.from({ length: 10 }, (_, i) => `v_frames_01:00_01:09/v_frame_${(60 + i) * 25}_01:${String(i).padStart(2, '0')}.jpg`);
    expect(output.frames?.map((f) => f.id)).toEqual(ids);
    expect(output.frames?.map((f) => store.get(f.id)?.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => 60 + i));
    expect(output.spans).toEqual([{ start: 60, end: 69 }]);
    expect(output.text).toContain('Extracted 10 frames between 00:01:00-00:01:09.');
    expect(output.text).toContain(`media_paths: ${JSON.stringify(ids)}`);
    expect(output.text).toContain(`${ids[0]} at 00:01:00\n`);
    expect(output.text).toContain(`${ids[9]} at 00:01:09`);
    expect(output.text).not.toMatch(/subclip/i);
  });

  it('writes hours into names past the first hour, and the echoed video path without folders', async () => {
    const output = await extractPartsTool(new FakeExtractor(), new FrameStore()).run(
      { ...args, video_path: 'data/videos/match_no_audio.mp4', timestamp_start: 3600, timestamp_end: 3609 },
      context(),
    );
    expect(output.frames?.[9]?.id).toBe('match_no_audio_frames_01:00:00_01:00:09/match_no_audio_frame_3609_01:00:09.jpg');
  });

  it('prints tenths when frames are less than a second apart', async () => {
    const output = await extractPartsTool(new FakeExtractor(), new FrameStore()).run(
      { ...args, timestamp_start: 1, timestamp_end: 2.8 },
      context(),
    );
    expect(output.text).toMatch(/_00:01\.jpg at 00:00:01\.2\n/);
    expect(output.text).toMatch(/_00:02\.jpg at 00:00:02\.8/);
  });

  it('says plainly that subclips are given as frames', async () => {
    const output = await extractPartsTool(new FakeExtractor(), new FrameStore()).run(
      { ...args, extract_type: 'subclips' },
      context(),
    );
    expect(output.text).toMatch(/^Subclips cannot be cut in the browser, so the window is given as frames instead\./);
    expect(output.frames).toHaveLength(10);
  });

  it('the same window extracted again replaces its frames; another window adds to them', async () => {
    const store = new FrameStore();
    const tool = extractPartsTool(new FakeExtractor(), store);
    const first = await tool.run(args, context());
    const again = await tool.run(args, context());
    expect(again.frames?.map((f) => f.id)).toEqual(first.frames?.map((f) => f.id));
    expect(store.size).toBe(10);
    await tool.run({ ...args, timestamp_start: 70, timestamp_end: 79 }, context());
    expect(store.size).toBe(20);
  });
});
