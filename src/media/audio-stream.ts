import { AudioSampleSink, type InputAudioTrack } from 'mediabunny';
import { AppError, cancelledError } from '../core/errors';
import { truncatedError } from './open-media';
import { StreamingResampler } from './resampler';
import { AUDIO_SAMPLE_RATE, type AudioChunk } from './types';
import type { TimeSpan } from '../core/contracts';

/** Gaps shorter than this between decoded blocks are rounding, not missing audio. */
const GAP_TOLERANCE_SECONDS = 0.002;
/** Audio ending this much before its track's stated end means the file was cut short. */
const TRUNCATION_TOLERANCE_SECONDS = 0.5;

/**
 * The audio of `window` as 16 kHz mono, in chunks of `chunkSeconds`, decoded and resampled as it
 * streams: memory holds one chunk and mediabunny's small decode-ahead queue, whatever the window
 * length. Missing stretches (before the first sample, gaps) are filled with silence so that sample
 * i of the stream is always at `window.start + i / 16000`.
 */
export async function* streamAudio16kMono(
  track: InputAudioTrack,
  window: TimeSpan,
  chunkSeconds: number,
  signal?: AbortSignal,
): AsyncGenerator<AudioChunk> {
  const inputRate = await track.getSampleRate();
  const resampler = new StreamingResampler(inputRate, AUDIO_SAMPLE_RATE);
  const chunkLength = Math.max(1, Math.round(chunkSeconds * AUDIO_SAMPLE_RATE));
  let chunk = new Float32Array(chunkLength);
  let filled = 0;
  let chunkStart = window.start;
  /** Input-rate position (seconds) up to which audio has been fed to the resampler. */
  let fedUntil = window.start;
  let planes = new Float32Array(0);
  let mono = new Float32Array(0);

  function* collect(samples: Float32Array): Generator<AudioChunk> {
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(samples.length - offset, chunkLength - filled);
      chunk.set(samples.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === chunkLength) {
        yield { start: chunkStart, samples: chunk };
        chunkStart += chunkLength / AUDIO_SAMPLE_RATE;
        chunk = new Float32Array(chunkLength);
        filled = 0;
      }
    }
  }

  const sink = new AudioSampleSink(track);
  try {
    for await (const sample of sink.samples(window.start, window.end)) {
      try {
        if (signal?.aborted) throw cancelledError();
        const from = Math.max(sample.timestamp, window.start);
        const to = Math.min(sample.timestamp + sample.duration, window.end);
        if (to <= from) continue;
        if (from - fedUntil > GAP_TOLERANCE_SECONDS) {
          yield* collect(resampler.push(new Float32Array(Math.round((from - fedUntil) * inputRate))));
        }
        const firstFrame = Math.max(0, Math.round((from - sample.timestamp) * sample.sampleRate));
        const frameCount = Math.min(
          sample.numberOfFrames - firstFrame,
          Math.round((to - from) * sample.sampleRate),
        );
        if (frameCount <= 0) continue;
        if (planes.length < frameCount) planes = new Float32Array(frameCount);
        if (mono.length < frameCount) mono = new Float32Array(frameCount);
        mono.fill(0, 0, frameCount);
        const channels = sample.numberOfChannels;
        for (let c = 0; c < channels; c++) {
          sample.copyTo(planes, { planeIndex: c, format: 'f32-planar', frameOffset: firstFrame, frameCount });
          for (let i = 0; i < frameCount; i++) mono[i] = (mono[i] ?? 0) + (planes[i] ?? 0) / channels;
        }
        fedUntil = from + frameCount / sample.sampleRate;
        yield* collect(resampler.push(mono.subarray(0, frameCount)));
      } finally {
        sample.close();
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('decode-failed', 'The audio of this file could not be decoded. The file may be damaged.', {
      detail: String(error),
      cause: error,
    });
  }
  const trackEnd = await track.computeDuration();
  if (fedUntil < Math.min(window.end, trackEnd) - TRUNCATION_TOLERANCE_SECONDS) throw truncatedError(fedUntil);
  yield* collect(resampler.flush());
  if (filled > 0) yield { start: chunkStart, samples: chunk.slice(0, filled) };
}
