import {
  ALL_FORMATS,
  BlobSource,
  Input,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { AppError } from '../errors';
import { formatTimestampFloor } from '../time';
import type { AudioTrackInfo, ProbeResult, Rotation, VideoTrackInfo } from './types';

/** A file opened for reading: mediabunny reads only the byte ranges it needs, never the whole file. */
export interface OpenMedia {
  input: Input;
  probe: ProbeResult;
  video: InputVideoTrack | null;
  audio: InputAudioTrack | null;
}

/** Frame rate estimation looks at this many packets, from the index only (no decoding). */
const FRAME_RATE_PACKETS = 256;

export async function openMedia(file: Blob): Promise<OpenMedia> {
  if (file.size === 0) throw new AppError('empty-file', 'This file is empty (0 bytes).');
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
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
    const [mimeType, durationSeconds, videoInfo, audioInfo] = await Promise.all([
      input.getMimeType(),
      input.computeDuration(),
      video ? describeVideo(video) : null,
      audio ? describeAudio(audio) : null,
    ]);
    const probe: ProbeResult = {
      container: format.name,
      mimeType,
      fileSize: file.size,
      durationSeconds,
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
    rotation: rotation as Rotation,
    pixelAspectRatio: { num: par.num, den: par.den },
    frameRate: rate.bestGuessFrameRate,
    variableFrameRate: rate.underlyingFrameRate === null,
  };
}

async function describeAudio(track: InputAudioTrack): Promise<AudioTrackInfo> {
  const [codec, codecString, decodable, sampleRate, channels] = await Promise.all([
    track.getCodec(),
    track.getCodecParameterString(),
    track.canDecode(),
    track.getSampleRate(),
    track.getNumberOfChannels(),
  ]);
  return { codec, codecString, decodable, sampleRate, channels };
}

const CODEC_NAMES: Record<string, string> = {
  avc: 'H.264',
  hevc: 'HEVC (H.265)',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
  aac: 'AAC',
  opus: 'Opus',
  mp3: 'MP3',
  vorbis: 'Vorbis',
  flac: 'FLAC',
  ac3: 'AC-3',
  eac3: 'E-AC-3',
};

export function codecDisplayName(codec: string | null): string {
  if (!codec) return 'an unknown codec';
  return CODEC_NAMES[codec] ?? codec.toUpperCase();
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
    throw new AppError(
      'unsupported-codec',
      `This video uses ${codecDisplayName(probe.video.codec)}, which this browser cannot decode. ` +
        'Convert it to H.264, VP9 or AV1 and try again.',
    );
  }
  return video;
}

/** The audio track, checked to exist and be decodable here. */
export function requireAudio(media: OpenMedia): InputAudioTrack {
  const { audio, probe } = media;
  if (!audio || !probe.audio) throw new AppError('no-audio', 'This file has no audio track, so there is no speech to listen to.');
  if (!probe.audio.decodable) {
    throw new AppError(
      'unsupported-codec',
      `This file's audio uses ${codecDisplayName(probe.audio.codec)}, which this browser cannot decode.`,
    );
  }
  return audio;
}
