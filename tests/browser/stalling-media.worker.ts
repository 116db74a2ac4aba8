/// <reference lib="webworker" />
/**
 * A media worker for tests/browser/media-stalls.test.ts whose file reads stall for real: the app's
 * MediaService, reading the file through a mediabunny StreamSource that, as the worker's name says,
 * never answers ('stall'), never answers once a file is open ('stall-after-open'), or answers each
 * read 1.2 s late ('slow').
 */
import { StreamSource } from 'mediabunny';
import { MediaService } from '../../src/media/media-service';
import type { ProbeResult } from '../../src/media/types';
import { exposeMediaService } from '../../workers/media-service-host';

const mode = self.name;
let opened = false;

class TestMediaService extends MediaService {
  override async open(file: Blob, onProgress?: () => unknown): Promise<{ mediaId: string; probe: ProbeResult }> {
    const result = await super.open(file, onProgress);
    opened = true;
    return result;
  }
}

async function read(file: Blob, start: number, end: number): Promise<Uint8Array> {
  if (mode === 'stall' || (mode === 'stall-after-open' && opened)) return new Promise<never>(() => {});
  if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 1200));
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

exposeMediaService(
  new TestMediaService({
    source: (file) => new StreamSource({ getSize: () => file.size, read: (start, end) => read(file, start, end) }),
  }),
);
