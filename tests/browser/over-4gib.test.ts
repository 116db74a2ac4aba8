/**
 * A file over 4 GiB, made on first run (see over-4gib-command.ts): it opens, its index (which
 * lies past 4 GiB, at the end) is read, and frames and audio near its end (past 4 GiB) decode to
 * what the same bytes decode to at its start. Skipped only when the disk has no room for it.
 */
import { commands } from 'vitest/browser';
import { afterEach, expect, it } from 'vitest';
import { MediaClient } from '../../src/media/media-client';
import type { PlaybackFrame } from '../../src/media/types';
import type { Over4GiBSelection } from './over-4gib-command';

declare module 'vitest/browser' {
  interface BrowserCommands {
    selectOver4GiBFile: (selector: string) => Promise<Over4GiBSelection>;
  }
}

const clients: MediaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
});

async function pixels(frame: PlaybackFrame): Promise<Uint8ClampedArray> {
  const canvas = new OffscreenCanvas(frame.width, frame.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  context.drawImage(frame.image, 0, 0);
  frame.image.close();
  return context.getImageData(0, 0, frame.width, frame.height).data;
}

it('opens a file over 4 GiB and seeks near its end', { timeout: 240_000 }, async (context) => {
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'over-4gib';
  document.body.append(input);
  const { skipped, segmentSeconds, repeats } = await commands.selectOver4GiBFile('#over-4gib');
  if (skipped) context.skip(skipped);
  const file = input.files?.[0];
  if (!file) throw new Error('the command put no file in the input');
  expect(file.size).toBeGreaterThan(2 ** 32);

  const client = new MediaClient();
  clients.push(client);
  const media = await client.open(file);
  const duration = segmentSeconds * repeats;
  expect(media.probe.fileSize).toBe(file.size);
  expect(media.probe.durationSeconds).toBeCloseTo(duration, 1);
  // The last packets (past 4 GiB) can be read: the file is not taken for one cut short.
  expect(media.probe.readableSeconds).toBe(media.probe.durationSeconds);

  // 7.1 s into the last segment shows its frame at 7.0 s (5 frames a second; the joins shift it by
  // under 0.05 s, a frame lasts 0.2 s); the stream copy put the same bytes there as 7.0 s into the
  // first segment, 4.5 GiB earlier.
  const nearEnd = await media.frameAt(duration - segmentSeconds + 7.1, 320);
  expect(nearEnd.timestamp).toBeCloseTo(duration - segmentSeconds + 7, 1);
  const atStart = await media.frameAt(7.1, 320);
  expect(atStart.timestamp).toBeCloseTo(7, 1);
  const nextAtStart = await media.frameAt(7.3, 320);
  const [end, start, next] = await Promise.all([pixels(nearEnd), pixels(atStart), pixels(nextAtStart)]);
  expect(end).toEqual(start);
  // Every frame is different noise, so a wrong frame or a misread packet cannot pass as equal.
  expect(next).not.toEqual(start);

  // Sound near the end decodes, and the skim's key frames (one every 5 s) reach the last segment.
  const audio = await media.audio({ start: duration - 4, end: duration - 1 });
  expect(audio.length).toBe(3 * 16_000);
  expect(audio.some((sample) => Math.abs(sample) > 0.01)).toBe(true);
  const skim = await media.skim({ count: 64, maxSide: 96 });
  for (const frame of skim) if (frame.image instanceof ImageBitmap) frame.image.close();
  expect(skim.at(-1)?.timestamp).toBeGreaterThan(duration - segmentSeconds);
  expect((await media.stats()).liveFrames).toBe(0);
});
