import { AudioSampleSink, VideoSampleSink, type Source } from 'mediabunny';
import { AppError, cancelledError } from '../core/errors';
import { streamAudio16kMono } from './audio-stream';
import { evenlySpacedTimes, skimFrameCount, spreadTimes } from './frame-times';
import { MAX_SKIM_FRAMES } from '../core/protocol';
import { FrameRenderer, fitSize } from './frame-renderer';
import { blobSource, openMedia, requireAudio, requireVideo, type OpenMedia } from './open-media';
import { AUDIO_SAMPLE_RATE, type AudioChunk, type ExtractOptions, type Frame, type FrameFormat, type PlaybackAudio, type PlaybackFrame, type ProbeResult, type SkimOptions, type VideoTrackInfo } from './types';
import type { TimeSpan } from '../core/contracts';
import { progressReport } from './job-progress';
import { checkTime, checkWindow, clampCount } from './media-arguments';
import { decodeError, decodeFramesAt, decodeNearestKeyFrames, type DecodedFrame } from './video-frames';

const DEFAULT_SKIM_SIDE = 384;
const DEFAULT_EXTRACT_SIDE = 1280;
const DEFAULT_EXTRACT_COUNT = 10;
const MAX_EXTRACT_COUNT = 64;
/** One-shot audio is capped; longer spans go through `audioStream` so they never sit in memory whole. */
export const MAX_AUDIO_WINDOW_SECONDS = 30 * 60;

export interface MediaStats {
  openFiles: number;
  runningJobs: number;
  /** Decoded frames handed out by the decoders and not yet closed: 0 whenever no job runs. */
  liveFrames: number;
  /** Playback streams (frames or sound) neither finished nor cancelled: 0 once every player has stopped. */
  playbackStreams: number;
  /** Where the last skim spent its time, for the benchmark; null before the first. */
  lastSkim: SkimTimings | null;
}

/** Milliseconds per stage of one skim, measured in the worker (transfer is what the caller adds). */
export interface SkimTimings {
  /** Finding the key frames to decode (`fast` only; 0 for `exact`, which looks up as it decodes). */
  lookupMs: number;
  /** Waiting for decoded frames, reads of packet data included. */
  decodeMs: number;
  /** Scaling, drawing and making the bitmaps or images. */
  renderMs: number;
  frames: number;
}

/** An opened file and the progress reports of the jobs reading it, which each read of it advances. */
interface OpenFile {
  media: OpenMedia;
  readers: Set<() => void>;
}

export interface MediaServiceOptions {
  /** How a file's bytes are read (default: `blobSource`); a test worker stalls its reads through this. */
  source?: (file: Blob) => Source;
}

/**
 * Everything the media worker does, independent of how it is exposed: opened files are kept by id
 * (their index is parsed once), jobs can be cancelled by id, and jobs report progress (reads of the
 * file, decoded frames and audio) so that a read that never returns is seen as a stall.
 */
export class MediaService {
  private readonly files = new Map<string, OpenFile>();
  private readonly jobs = new Map<string, AbortController>();
  private readonly source: (file: Blob) => Source;
  private liveFrames = 0;
  private lastSkim: SkimTimings | null = null;
  private playbackStreams = 0;
  private nextId = 1;

  constructor(options: MediaServiceOptions = {}) {
    this.source = options.source ?? blobSource;
  }

  async open(file: Blob, onProgress?: () => unknown): Promise<{ mediaId: string; probe: ProbeResult }> {
    const readers = new Set([progressReport(onProgress)]);
    const source = this.source(file);
    source.on('read', () => {
      for (const advance of readers) advance();
    });
    const media = await openMedia(file, source);
    readers.clear();
    const mediaId = `media-${this.nextId++}`;
    this.files.set(mediaId, { media, readers });
    return { mediaId, probe: media.probe };
  }

  close(mediaId: string): void {
    this.files.get(mediaId)?.media.input.dispose();
    this.files.delete(mediaId);
  }

  cancel(jobId: string): void {
    this.jobs.get(jobId)?.abort();
  }

  stats(): MediaStats {
    return {
      openFiles: this.files.size,
      runningJobs: this.jobs.size,
      liveFrames: this.liveFrames,
      playbackStreams: this.playbackStreams,
      lastSkim: this.lastSkim,
    };
  }

  /** Low-resolution frames spread over the whole video (its readable part, when it was cut short). */
  skim(mediaId: string, options: SkimOptions = {}, jobId?: string, onProgress?: () => unknown): Promise<Frame[]> {
    return this.runJob(mediaId, jobId, onProgress, async (media, signal, advance) => {
      const video = requireVideo(media);
      // A file cut short is skimmed over the part that can be read.
      const duration = media.probe.readableSeconds;
      const count = clampCount(options.count ?? Math.max(1, skimFrameCount(duration)), MAX_SKIM_FRAMES);
      const times = spreadTimes(0, duration, count);
      const timings: SkimTimings = { lookupMs: 0, decodeMs: 0, renderMs: 0, frames: 0 };
      const decoded =
        (options.mode ?? 'fast') === 'fast'
          ? decodeNearestKeyFrames(video, times, signal, timings)
          : decodeFramesAt(video, times, signal);
      const frames = await this.render(media, decoded, options.maxSide ?? DEFAULT_SKIM_SIDE, options.format ?? 'bitmap', signal, advance, timings);
      // Waiting for the first frame included the lookup.
      timings.decodeMs -= timings.lookupMs;
      timings.frames = frames.length;
      this.lastSkim = timings;
      return frames;
    });
  }

  /** High-resolution frames evenly spaced over [start, end], both ends included. */
  extract(mediaId: string, options: ExtractOptions, jobId?: string, onProgress?: () => unknown): Promise<Frame[]> {
    return this.runJob(mediaId, jobId, onProgress, async (media, signal, advance) => {
      const video = requireVideo(media);
      const { start, end } = checkWindow(options, media.probe.durationSeconds);
      const count = clampCount(options.count ?? DEFAULT_EXTRACT_COUNT, MAX_EXTRACT_COUNT);
      const times = evenlySpacedTimes(start, end, count);
      const decoded = decodeFramesAt(video, times, signal);
      return this.render(media, decoded, options.maxSide ?? DEFAULT_EXTRACT_SIDE, options.format ?? 'jpeg', signal, advance);
    });
  }

  /** The audio of a window as one 16 kHz mono array (windows up to 30 minutes). */
  audio(mediaId: string, window: TimeSpan, jobId?: string, onProgress?: () => unknown): Promise<Float32Array> {
    return this.runJob(mediaId, jobId, onProgress, async (media, signal, advance) => {
      const track = requireAudio(media);
      const { start, end } = checkWindow(window, media.probe.durationSeconds);
      if (end - start > MAX_AUDIO_WINDOW_SECONDS) {
        throw new AppError('invalid-argument', 'Audio windows over 30 minutes are streamed, not returned at once.');
      }
      const out = new Float32Array(Math.ceil((end - start) * AUDIO_SAMPLE_RATE));
      let written = 0;
      for await (const chunk of streamAudio16kMono(track, { start, end }, 30, signal)) {
        const take = Math.min(chunk.samples.length, out.length - written);
        out.set(chunk.samples.subarray(0, take), written);
        written += take;
        advance();
      }
      return written === out.length ? out : out.slice(0, written);
    });
  }

  /**
   * The audio of any window as a stream of 16 kHz mono chunks. Reading is pulled by the consumer,
   * so a slow consumer never makes audio pile up; cancelling the stream stops decoding.
   */
  audioStream(mediaId: string, window: TimeSpan, chunkSeconds = 30): ReadableStream<AudioChunk> {
    const media = this.get(mediaId);
    const track = requireAudio(media);
    const span = checkWindow(window, media.probe.durationSeconds);
    const controller = new AbortController();
    const chunks = streamAudio16kMono(track, span, chunkSeconds, controller.signal);
    return new ReadableStream<AudioChunk>(
      {
        pull: async (stream) => {
          try {
            const next = await chunks.next();
            if (next.done) stream.close();
            else stream.enqueue(next.value);
          } catch (error) {
            stream.error(error);
          }
        },
        cancel: async () => {
          controller.abort();
          await chunks.return(undefined);
        },
      },
      { highWaterMark: 1 },
    );
  }

  /**
   * Frames to watch from `start` on, in presentation order, as upright bitmaps whose longest side
   * is at most `maxSide`; the first is the frame showing at `start`. Pulled: mediabunny decodes only
   * a few frames ahead of the reader, and cancelling stops decoding and closes every frame.
   */
  playbackFrames(mediaId: string, start: number, maxSide: number): ReadableStream<PlaybackFrame> {
    const media = this.get(mediaId);
    const video = requireVideo(media);
    checkTime(start);
    // requireVideo has checked that the probe describes the track.
    const { displayWidth, displayHeight } = media.probe.video as VideoTrackInfo;
    const { width, height } = fitSize(displayWidth, displayHeight, maxSide);
    const renderer = new FrameRenderer(width, height);
    const samples = new VideoSampleSink(video).samples(start);
    const ended = this.countPlaybackStream();
    let cancelled = false;
    let pulling: Promise<void> = Promise.resolve();
    const pullOne = async (stream: ReadableStreamDefaultController<PlaybackFrame>): Promise<void> => {
      try {
        const next = await samples.next();
        if (next.done) {
          ended();
          if (!cancelled) stream.close();
          return;
        }
        const sample = next.value;
        this.liveFrames++;
        try {
          if (cancelled) return;
          const image = (await renderer.render(sample, 'bitmap')) as ImageBitmap;
          if (cancelled) image.close();
          else stream.enqueue({ timestamp: sample.timestamp, width, height, image });
        } finally {
          sample.close();
          this.liveFrames--;
        }
      } catch (error) {
        ended();
        if (!cancelled) stream.error(decodeError(error));
      }
    };
    return new ReadableStream<PlaybackFrame>(
      {
        pull: (stream) => (pulling = pullOne(stream)),
        cancel: async () => {
          cancelled = true;
          // Ends mediabunny's decoding (closing what it decoded ahead), then lets a pull that
          // already holds a frame close it, so nothing is live once cancelling resolves.
          await samples.return();
          await pulling;
          ended();
        },
      },
      // Nothing is rendered before it is asked for, so a cancelled stream holds no bitmap.
      { highWaterMark: 0 },
    );
  }

  /** The single frame showing at `time` (the first frame for times before it), for seeks while paused. */
  frameAt(mediaId: string, time: number, maxSide: number, jobId?: string, onProgress?: () => unknown): Promise<PlaybackFrame> {
    return this.runJob(mediaId, jobId, onProgress, async (media, signal, advance) => {
      const video = requireVideo(media);
      checkTime(time);
      const [frame] = await this.render(media, decodeFramesAt(video, [time], signal), maxSide, 'bitmap', signal, advance);
      if (!frame) throw new AppError('decode-failed', 'No frame of this video could be decoded at this time.');
      return { timestamp: frame.timestamp, width: frame.width, height: frame.height, image: frame.image as ImageBitmap };
    });
  }

  /**
   * Audio to listen to from `start` on, at the track's own rate and channels, one decoded block a
   * chunk (the first holds `start`). Pulled like `audioStream`; cancelling stops decoding.
   */
  playbackAudio(mediaId: string, start: number): ReadableStream<PlaybackAudio> {
    const track = requireAudio(this.get(mediaId));
    checkTime(start);
    const samples = new AudioSampleSink(track).samples(start);
    const ended = this.countPlaybackStream();
    return new ReadableStream<PlaybackAudio>(
      {
        pull: async (stream) => {
          try {
            const next = await samples.next();
            if (next.done) {
              ended();
              stream.close();
              return;
            }
            const sample = next.value;
            try {
              const planes = Array.from({ length: sample.numberOfChannels }, (_, planeIndex) => {
                const plane = new Float32Array(sample.numberOfFrames);
                sample.copyTo(plane, { planeIndex, format: 'f32-planar' });
                return plane;
              });
              stream.enqueue({ timestamp: sample.timestamp, sampleRate: sample.sampleRate, planes });
            } finally {
              sample.close();
            }
          } catch (error) {
            ended();
            stream.error(
              error instanceof AppError
                ? error
                : new AppError('decode-failed', 'The audio of this file could not be decoded. The file may be damaged.', {
                    detail: String(error),
                    cause: error,
                  }),
            );
          }
        },
        cancel: async () => {
          await samples.return();
          ended();
        },
      },
      { highWaterMark: 1 },
    );
  }

  /** Counts a playback stream as open; the returned function marks it ended (once, however often called). */
  private countPlaybackStream(): () => void {
    this.playbackStreams++;
    let open = true;
    return () => {
      if (open) this.playbackStreams--;
      open = false;
    };
  }

  private get(mediaId: string): OpenMedia {
    return this.file(mediaId).media;
  }

  private file(mediaId: string): OpenFile {
    const file = this.files.get(mediaId);
    if (!file) throw new AppError('invalid-argument', 'This file is no longer open. Please open it again.');
    return file;
  }

  /** Runs a job on an open file; reads of the file and the job's own `advance` calls report its progress. */
  private async runJob<T>(
    mediaId: string,
    jobId: string | undefined,
    onProgress: (() => unknown) | undefined,
    work: (media: OpenMedia, signal: AbortSignal, advance: () => void) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const advance = progressReport(onProgress);
    if (jobId) this.jobs.set(jobId, controller);
    let readers: Set<() => void> | undefined;
    try {
      const file = this.file(mediaId);
      readers = file.readers;
      readers.add(advance);
      return await work(file.media, controller.signal, advance);
    } finally {
      readers?.delete(advance);
      if (jobId) this.jobs.delete(jobId);
    }
  }

  private async render(
    media: OpenMedia,
    decoded: AsyncGenerator<DecodedFrame>,
    maxSide: number,
    format: FrameFormat,
    signal: AbortSignal,
    advance: () => void,
    timings?: SkimTimings,
  ): Promise<Frame[]> {
    const info = media.probe.video;
    if (!info) throw new AppError('no-video', 'This file has no video track.');
    const { width, height } = fitSize(info.displayWidth, info.displayHeight, maxSide);
    const renderer = new FrameRenderer(width, height);
    const frames: Frame[] = [];
    try {
      let waited = performance.now();
      for await (const { sample, requestedTime } of decoded) {
        const rendering = performance.now();
        if (timings) timings.decodeMs += rendering - waited;
        this.liveFrames++;
        try {
          if (signal.aborted) throw cancelledError();
          const image = await renderer.render(sample, format);
          frames.push({ requestedTime, timestamp: sample.timestamp, width, height, image });
          advance();
        } finally {
          sample.close();
          this.liveFrames--;
          waited = performance.now();
          if (timings) timings.renderMs += waited - rendering;
        }
      }
    } catch (error) {
      for (const frame of frames) if (frame.image instanceof ImageBitmap) frame.image.close();
      throw error;
    }
    return frames.sort((a, b) => a.timestamp - b.timestamp);
  }
}
