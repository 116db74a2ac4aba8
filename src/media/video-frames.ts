import {
  EncodedPacketSink,
  VideoSample,
  VideoSampleSink,
  type EncodedPacket,
  type InputVideoTrack,
} from 'mediabunny';
import { AppError, cancelledError } from '../core/errors';
import { nearerKeyTime } from './frame-times';
import { truncatedError } from './open-media';

/** A decoded frame and the time that was asked for. The receiver must close `sample`. */
export interface DecodedFrame {
  sample: VideoSample;
  requestedTime: number;
}

/** Key packets are checked against their bitstream: containers sometimes mark P-frames as key. */
const VERIFIED = { verifyKeyPackets: true } as const;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

interface PlannedKeyFrame {
  packet: EncodedPacket;
  requestedTime: number;
}

/** Index lookups only: no packet data is read. */
const INDEX_ONLY = { metadataOnly: true } as const;

/**
 * For each requested time, the nearest key frame; each key frame appears once, with the first time
 * that chose it, in presentation order. The choice is made from the index alone (no data is read);
 * then only the chosen packets are read, as the decoder takes them. Reading checks each is a real
 * key frame (a packet that is not falls back to the real key frame before it).
 */
async function* planKeyFrames(
  track: InputVideoTrack,
  times: readonly number[],
  signal: AbortSignal | undefined,
  timings: { lookupMs: number } | undefined,
): AsyncGenerator<PlannedKeyFrame> {
  const start = performance.now();
  const sink = new EncodedPacketSink(track);
  const first = await sink.getFirstKeyPacket(VERIFIED);
  if (!first) throw new AppError('decode-failed', 'No frame of this video could be decoded: it has no key frame.');
  const picks = new Map<number, number>();
  for (const time of [...times].sort((a, b) => a - b)) {
    throwIfAborted(signal);
    const before = time < first.timestamp ? null : await sink.getKeyPacket(time, INDEX_ONLY);
    const after = before ? await sink.getNextKeyPacket(before, INDEX_ONLY) : null;
    const pick = nearerKeyTime(time, before?.timestamp ?? first.timestamp, after?.timestamp ?? null) ?? first.timestamp;
    if (!picks.has(pick)) picks.set(pick, time);
  }
  if (timings) timings.lookupMs = performance.now() - start;
  const seen = new Set<number>();
  for (const [keyTime, requestedTime] of picks) {
    throwIfAborted(signal);
    const packet = keyTime <= first.timestamp ? first : await sink.getKeyPacket(keyTime, VERIFIED);
    // The index lists frames here but their data cannot be read: the file was cut short.
    if (!packet) throw truncatedError(keyTime);
    if (seen.has(packet.timestamp)) continue;
    seen.add(packet.timestamp);
    yield { packet, requestedTime };
  }
}

/**
 * `fast` skimming: decodes only key frames, each at most once, with one decoder fed back to back
 * (every input is a key frame, so no reference chain is needed between them). The next packet is
 * read while the current one decodes and earlier frames are drawn.
 */
export async function* decodeNearestKeyFrames(
  track: InputVideoTrack,
  times: readonly number[],
  signal?: AbortSignal,
  timings?: { lookupMs: number },
): AsyncGenerator<DecodedFrame> {
  yield* decodeKeyPackets(track, readAhead(planKeyFrames(track, times, signal, timings)), signal);
}

/** Asks `source` for its next item as soon as the current one is handed out. */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = source.next();
      // A read that fails after the consumer has stopped must not surface as an unhandled rejection.
      next.catch(() => {});
      yield current.value;
    }
  } finally {
    await source.return(undefined);
  }
}

async function* decodeKeyPackets(
  track: InputVideoTrack,
  plan: Iterable<PlannedKeyFrame> | AsyncIterable<PlannedKeyFrame>,
  signal: AbortSignal | undefined,
): AsyncGenerator<DecodedFrame> {
  const [config, rotation] = await Promise.all([track.getDecoderConfig(), track.getRotation()]);
  if (!config) throw new AppError('unsupported-codec', 'This video uses a codec this app does not know.');
  const requestedByMicros = new Map<number, number>();
  const ready: VideoFrame[] = [];
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const decoder = new VideoDecoder({
    output: (frame) => {
      ready.push(frame);
      wake?.();
    },
    error: (error) => {
      failure = error;
      wake?.();
    },
  });
  decoder.addEventListener('dequeue', () => wake?.());
  const waitForDecoder = () => new Promise<void>((resolve) => (wake = resolve));
  try {
    decoder.configure(config);
    const emit = function* (): Generator<DecodedFrame> {
      while (ready.length > 0) {
        const frame = ready.shift() as VideoFrame;
        const sample = new VideoSample(frame, { rotation });
        yield { sample, requestedTime: requestedByMicros.get(frame.timestamp) ?? sample.timestamp };
      }
    };
    for await (const { packet, requestedTime } of plan) {
      throwIfAborted(signal);
      if (failure) break;
      requestedByMicros.set(packet.microsecondTimestamp, requestedTime);
      decoder.decode(packet.toEncodedVideoChunk());
      // Keep only a couple of frames in flight so memory stays flat however many are asked for.
      while (decoder.decodeQueueSize > 2 && !failure) await waitForDecoder();
      yield* emit();
    }
    if (!failure) await decoder.flush().catch((error: unknown) => (failure ??= error));
    if (failure) throw decodeError(failure);
    yield* emit();
  } finally {
    for (const frame of ready.splice(0)) frame.close();
    if (decoder.state !== 'closed') decoder.close();
  }
}

/**
 * `exact` frames: the frame showing at each requested time. Times are sorted so mediabunny decodes
 * each packet at most once. Times before the first decodable frame get that first frame; a time
 * whose frame cannot be read later in the file means the file was cut short.
 */
export async function* decodeFramesAt(
  track: InputVideoTrack,
  times: readonly number[],
  signal?: AbortSignal,
): AsyncGenerator<DecodedFrame> {
  const sorted = [...times].sort((a, b) => a - b);
  const sink = new VideoSampleSink(track);
  let lastTimestamp = Number.NaN;
  const missing: number[] = [];
  let index = 0;
  try {
    for await (const sample of sink.samplesAtTimestamps(sorted, VERIFIED)) {
      const requestedTime = sorted[index++] ?? Number.NaN;
      if (!sample) {
        missing.push(requestedTime);
        continue;
      }
      if (signal?.aborted || sample.timestamp === lastTimestamp) {
        sample.close();
        throwIfAborted(signal);
        continue;
      }
      lastTimestamp = sample.timestamp;
      yield { sample, requestedTime };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw decodeError(error);
  }
  const firstMissing = missing[0];
  if (firstMissing !== undefined) {
    const first = await new EncodedPacketSink(track).getFirstKeyPacket(VERIFIED);
    const lastMissing = missing.at(-1) ?? firstMissing;
    if (!first || lastMissing > first.timestamp) throw truncatedError(lastMissing);
    if (first.timestamp !== lastTimestamp) {
      yield* decodeKeyPackets(track, [{ packet: first, requestedTime: firstMissing }], signal);
    }
  }
}

export function decodeError(cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  return new AppError(
    'decode-failed',
    'Part of this video could not be decoded. The file may be damaged or incomplete.',
    { detail: String(cause), cause },
  );
}
