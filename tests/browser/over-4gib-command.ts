/**
 * Node side of tests/browser/over-4gib.test.ts (a vitest browser command, registered in
 * vite.config.ts): makes the >4 GiB file once (bench/make-long-files.ts: a 10-second segment
 * repeated by stream copy; about 30 s), and puts it in the test page's file input by path, so
 * nothing is copied and the page gets a disk-backed File as a person's pick would.
 */
import type { BrowserCommand } from 'vitest/node';
import { existsSync } from 'node:fs';
import { DEFAULT_LONG_MEDIA_DIR, freeBytes, makeOver4GiBFile, NOISE_REPEATS, NOISE_SEGMENT_SECONDS, OVER_4GIB_DISK_BYTES, over4GiBPath } from '../../bench/make-long-files.ts';

export interface Over4GiBSelection {
  /** Why the file could not be made (too little disk), or null when it is in the input. */
  skipped: string | null;
  segmentSeconds: number;
  repeats: number;
}

export const selectOver4GiBFile: BrowserCommand<[selector: string], Over4GiBSelection> = async (context, selector) => {
  const dir = DEFAULT_LONG_MEDIA_DIR;
  const shape = { segmentSeconds: NOISE_SEGMENT_SECONDS, repeats: NOISE_REPEATS };
  if (!existsSync(over4GiBPath(dir)) && freeBytes(dir) < OVER_4GIB_DISK_BYTES) {
    const free = (freeBytes(dir) / 2 ** 30).toFixed(1);
    return { skipped: `${free} GiB free in ${dir}; the >4 GiB file needs ${(OVER_4GIB_DISK_BYTES / 2 ** 30).toFixed(1)} GiB`, ...shape };
  }
  const path = makeOver4GiBFile(dir);
  await context.iframe.locator(selector).setInputFiles(path);
  return { skipped: null, ...shape };
};
