import {
  ALL_FORMATS,
  BlobSource,
  EncodedPacketSink,
  type Source,
  Input,
  type InputAudioTrack,
  type InputTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { AppError } from '../core/errors';
import { formatTimestampFloor } from '../core/time';
import { codecName } from './codec-names';
import type { AudioTrackInfo, ProbeResult, VideoTrackInfo } from './types';

/** A file opened for reading: mediabunny reads only the byte ranges it needs, never the whole file. */
export interface OpenMedia {
  input: Input;
  probe: ProbeResult;
  video: InputVideoTrack | null;
  audio: InputAudioTrack | null;
}

/** WebCodecs has no decoder for these; mediabunny's own extension (FFmpeg's decoders in WASM) does. */
const DOLBY_CODECS = new Set(['ac3', 'eac3']);

let dolbyDecoder: Promise<boolean> | null = null;

/**
 * Loaded on the first file that needs it (about 1 MB of WASM), and registered once per worker.
 * It decodes in a worker of its own started from a blob: URL, which the page's CSP must allow
 * (`worker-src blob:`); where it may not, the track is reported as blocked rather than promised.
 */
function registerDolbyDecoder(): Promise<boolean> {
  // A chunk that fails to load (a cut-off offline cache) leaves the track undecodable, which the
  // probe then reports, and the next file tries again.
  dolbyDecoder ??= blobWorkersAllowed().then(async (allowed) => {
    if (!allowed) return false;
    try {
      const { registerAc3Decoder } = await import('@mediabunny/ac3');
      registerAc3Decoder();
      return true;
    } catch {
      dolbyDecoder = null;
      return false;
    }
  });
  return dolbyDecoder;
}

/**
 * Whether a worker may start from a blob: URL here. A Content-Security-Policy without `blob:` in
 * worker-src refuses it after construction, with an error event, so a tiny one is started to see.
 */
function blobWorkersAllowed(): Promise<boolean> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(new Blob(['postMessage(0)'], { type: 'text/javascript' }));
    let worker: Worker | null = null;
    const settle = (allowed: boolean) => {
      worker?.terminate();
      URL.revokeObjectURL(url);
      resolve(allowed);
    };
    try {
      worker = new Worker(url);
    } catch {
      settle(false);
      return;
    }
    worker.onmessage = () => settle(true);
    worker.onerror = () => settle(false);
  });
}

/** Frame rate estimation looks at this many packets, from the index only (no decoding). */
const FRAME_RATE_PACKETS = 256;

/** How a file's bytes are read. */
export function blobSource(file: Blob): Source {
  // One slice read per request: a stream per read costs Chromium several milliseconds to open on a
  // disk-backed File, which made the skim's scattered key-frame reads its slowest stage (the bench
  // prints it); sequential audio reads run at the same speed either way.
  return new BlobSource(file, { useStreamReader: false });
}

/** Opens `file`, read through `source` (made from the file unless given). */
export async function openMedia(file: Blob, source: Source = blobSource(file)): Promise<OpenMedia> {
  if (file.size === 0) throw new AppError('empty-file', 'This file is empty (0 bytes).');
  const input = new Input({ source, formats: ALL_FORMATS });
  try {
    if (!(await input.canRead())) {
      throw new AppError('not-media', 'This file is not a video or audio file this app can read.');
    }
    const [format, video, audio] = await Promise.all([
      input.getFormat(),
      input.getPrimaryVideoTrack(),
      input.getPrimaryAudioTrack(),
    ]);
    if (!video && !audio) {
      throw new AppError('not-media', 'This file has no video or audio track this app can read.');
    }
    const needsDolby = audio !== null && DOLBY_CODECS.has((await audio.getCodec()) ?? '');
    const blockedByPolicy = needsDolby && !(await registerDolbyDecoder());
    const [mimeType, durationSeconds, videoInfo, audioInfo] = await Promise.all([
      input.getMimeType(),
      input.computeDuration(),
      video ? describeVideo(video) : null,
      audio ? describeAudio(audio, blockedByPolicy) : null,
    ]);
    const readable = await Promise.all([video, audio].flatMap((track) => (track ? [readableEnd(track, durationSeconds)] : [])));
    const probe: ProbeResult = {
      container: format.name,
      mimeType,
      fileSize: file.size,
      durationSeconds,
      readableSeconds: Math.min(durationSeconds, ...readable),
      video: videoInfo,
      audio: audioInfo,
    };
    return { input, probe, video, audio };
  } catch (error) {
    input.dispose();
    if (error instanceof AppError) throw error;
    // The format was recognised but its structure could not be read: most often a file cut short.
    throw new AppError(
      'truncated',
      'This file looks like a video but its contents could not be read. It may be incomplete or damaged.',
      { detail: String(error), cause: error },
    );
  }
}

/** A cut file's readable end is found to within this much. */
const READABLE_PRECISION_SECONDS = 0.25;

/**
 * How far into the file this track's data can be read. A file cut short (an unfinished download)
 * keeps an index that promises the whole duration, but packets past the cut cannot be read: one
 * lookup at the end tells a complete file, and a bisection finds where a cut one stops.
 */
async function readableEnd(track: InputTrack, duration: number): Promise<number> {
  const sink = new EncodedPacketSink(track);
  if (await sink.getPacket(duration)) return duration;
  const first = await sink.getFirstPacket();
  if (!first) return 0;
  let readable = first.timestamp;
  let unreadable = duration;
  while (unreadable - readable > READABLE_PRECISION_SECONDS) {
    const middle = (readable + unreadable) / 2;
    if (await sink.getPacket(middle)) readable = middle;
    else unreadable = middle;
  }
  return readable;
}

async function describeVideo(track: InputVideoTrack): Promise<VideoTrackInfo> {
  const [codec, codecString, decodable, codedWidth, codedHeight, displayWidth, displayHeight, rotation, par, rate] =
    await Promise.all([
      track.getCodec(),
      track.getCodecParameterString(),
      track.canDecode(),
      track.getCodedWidth(),
      track.getCodedHeight(),
      track.getDisplayWidth(),
      track.getDisplayHeight(),
      track.getRotation(),
      track.getPixelAspectRatio(),
      track.computeFrameRateMetrics({ targetPacketCount: FRAME_RATE_PACKETS }),
    ]);
  return {
    codec,
    codecString,
    decodable,
    codedWidth,
    codedHeight,
    displayWidth,
    displayHeight,
    rotation: rotation,
    pixelAspectRatio: { num: par.num, den: par.den },
    frameRate: rate.bestGuessFrameRate,
    variableFrameRate: rate.underlyingFrameRate === null,
  };
}

async function describeAudio(track: InputAudioTrack, blockedByPolicy: boolean): Promise<AudioTrackInfo> {
  const [codec, codecString, decodable, sampleRate, channels] = await Promise.all([
    track.getCodec(),
    track.getCodecParameterString(),
    track.canDecode(),
    track.getSampleRate(),
    track.getNumberOfChannels(),
  ]);
  return { codec, codecString, decodable, blockedByPolicy, sampleRate, channels };
}

/** Data the index promises is missing: the file was cut short (an unfinished download or copy). */
export function truncatedError(seconds: number): AppError {
  return new AppError(
    'truncated',
    `This file is incomplete: it cannot be read past about ${formatTimestampFloor(seconds)}. ` +
      'It may not have finished downloading or copying.',
  );
}

/** The video track, checked to exist and be decodable here. */
export function requireVideo(media: OpenMedia): InputVideoTrack {
  const { video, probe } = media;
  if (!video || !probe.video) throw new AppError('no-video', 'This file has no video track, so there are no frames to show.');
  if (!probe.video.decodable) {
    throw new AppError('unsupported-codec', `${undecodableVideo(probe.video)} Convert it to H.264, VP9 or AV1 and try again.`);
  }
  return video;
}

/** Why a track's frames cannot be seen, in one sentence. */
export function undecodableVideo(info: VideoTrackInfo): string {
  return `This video uses ${codecName(info.codec)}, which this browser cannot decode.`;
}

/** The audio track, checked to exist and be decodable here. */
export function requireAudio(media: OpenMedia): InputAudioTrack {
  const { audio, probe } = media;
  if (!audio || !probe.audio) throw new AppError('no-audio', 'This file has no audio track, so there is no speech to listen to.');
  if (!probe.audio.decodable) throw new AppError('unsupported-codec', undecodableAudio(probe.audio));
  return audio;
}

/** Why a track's audio cannot be heard, in one sentence. */
export function undecodableAudio(info: AudioTrackInfo): string {
  const codec = codecName(info.codec);
  return info.blockedByPolicy
    ? `This file's audio uses ${codec}, whose decoder this page's Content-Security-Policy does not allow to start (it needs worker-src blob:).`
    : `This file's audio uses ${codec}, which this browser cannot decode.`;
}
