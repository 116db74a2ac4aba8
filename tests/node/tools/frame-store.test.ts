import { describe, expect, it } from 'vitest';
import { FrameStore } from '../../../src/tools/frame-store';
import { bitmap, frameAt } from './fakes';

describe('FrameStore', () => {
  it('names frames frame_1, frame_2, ... in order and keeps their times', () => {
    const store = new FrameStore();
    const added = store.add([frameAt(10), frameAt(12.5)]);
    expect(added.map((f) => [f.id, f.timestamp])).toEqual([
      ['frame_1', 10],
      ['frame_2', 12.5],
    ]);
    expect(store.add([frameAt(20)])[0]?.id).toBe('frame_3');
    expect(store.get('frame_2')?.timestamp).toBe(12.5);
    expect(store.ids()).toEqual(['frame_1', 'frame_2', 'frame_3']);
  });

  it('keeps given names; a frame stored again under a name replaces the older one and closes its bitmap', () => {
    const store = new FrameStore();
    const old = bitmap();
    store.add([frameAt(10, old), frameAt(20)], ['a.jpg', 'b.jpg']);
    store.add([frameAt(10.5)], ['a.jpg']);
    expect(store.ids()).toEqual(['b.jpg', 'a.jpg']);
    expect(store.get('a.jpg')?.timestamp).toBe(10.5);
    expect(old.closed).toBe(true);
  });

  it('finds the stored frame nearest a time', () => {
    const store = new FrameStore();
    store.add([frameAt(10), frameAt(20), frameAt(30)]);
    expect(store.nearest(14)?.id).toBe('frame_1');
    expect(store.nearest(26)?.id).toBe('frame_3');
    expect(new FrameStore().nearest(5)).toBeUndefined();
  });

  it('past its limit drops the oldest frames and closes their bitmaps; ids are never reused', () => {
    const store = new FrameStore({ limit: 3 });
    const images = [bitmap(), bitmap(), bitmap(), bitmap(), bitmap()];
    store.add(images.slice(0, 2).map((image, i) => frameAt(i, image)));
    const added = store.add(images.slice(2).map((image, i) => frameAt(10 + i, image)));
    expect(added.map((f) => f.id)).toEqual(['frame_3', 'frame_4', 'frame_5']);
    expect(store.ids()).toEqual(['frame_3', 'frame_4', 'frame_5']);
    expect(store.size).toBe(3);
    expect(images.map((image) => image.closed)).toEqual([true, true, false, false, false]);
    expect(store.get('frame_1')).toBeUndefined();
  });

  it('a batch larger than the limit keeps its newest frames only', () => {
    const store = new FrameStore({ limit: 2 });
    const added = store.add([frameAt(1), frameAt(2), frameAt(3)]);
    expect(added.map((f) => f.id)).toEqual(['frame_2', 'frame_3']);
  });

  it('clear() drops everything and closes bitmaps, and a custom prefix names the ids', () => {
    const store = new FrameStore({ prefix: 'skim' });
    const image = bitmap();
    store.add([frameAt(0, image), frameAt(1)]);
    expect(store.ids()).toEqual(['skim_1', 'skim_2']);
    store.clear();
    expect(store.size).toBe(0);
    expect(image.closed).toBe(true);
    expect(store.add([frameAt(2)])[0]?.id).toBe('skim_3');
  });
});
