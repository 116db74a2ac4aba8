/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { MediaService } from '../src/media/media-service';
import type { AudioWindow, ExtractOptions, Frame, SkimOptions } from '../src/media/types';
import { installAppErrorTransfer } from '../src/rpc/comlink-errors';

installAppErrorTransfer();
const service = new MediaService();

/** Frames move to the caller without copying: bitmaps are transferred, blobs are shared. */
function transferFrames(frames: Frame[]): Frame[] {
  const bitmaps = frames.flatMap((f) => (f.image instanceof ImageBitmap ? [f.image] : []));
  return Comlink.transfer(frames, bitmaps);
}

const api = {
  open: (file: Blob) => service.open(file),
  close: (mediaId: string) => service.close(mediaId),
  cancel: (jobId: string) => service.cancel(jobId),
  stats: () => service.stats(),
  skim: async (mediaId: string, options?: SkimOptions, jobId?: string) =>
    transferFrames(await service.skim(mediaId, options, jobId)),
  extract: async (mediaId: string, options: ExtractOptions, jobId?: string) =>
    transferFrames(await service.extract(mediaId, options, jobId)),
  audio: async (mediaId: string, window: AudioWindow, jobId?: string) => {
    const samples = await service.audio(mediaId, window, jobId);
    return Comlink.transfer(samples, [samples.buffer]);
  },
  audioStream: (mediaId: string, window: AudioWindow, chunkSeconds?: number) => {
    const stream = service.audioStream(mediaId, window, chunkSeconds);
    return Comlink.transfer(stream, [stream as unknown as Transferable]);
  },
};

export type MediaWorkerApi = typeof api;

Comlink.expose(api);
