import {
  EncodedPacketSink,
  VideoSample,
  VideoSampleSink,
  type EncodedPacket,
  type InputVideoTrack,
} from 'mediabunny';
import { AppError, cancelledError } from '../errors';
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

/**
 * For each requested time, the nearest real key frame; each key frame appears once, with the
 * first time that chose it, in presentation order.
 */
async function planKeyFrames(
  track: InputVideoTrack,
  times: readonly number[],
  signal: AbortSignal | undefined,
): Promise<PlannedKeyFrame[]> {
  const sink = new EncodedPacketSink(track);
  const first = await sink.getFirstKeyPacket(VERIFIED);
  if (!first) throw new AppError('decode-failed', 'No frame of this video could be decoded: it has no key frame.');
  const chosen = new Map<number, PlannedKeyFrame>();
  for (const time of [...times].sort((a, b) => a - b)) {
    throwIfAborted(signal);
    const before = await sink.getKeyPacket(time, VERIFIED);
    // The index lists frames here but their data cannot be read: the file was cut short.
    if (!before && time > first.timestamp) throw truncatedError(time);
    const after = before ? await sink.getNextKeyPacket(before, VERIFIED) : first;
    const pick = nearerKeyTime(time, before?.timestamp ?? null, after?.timestamp ?? null);
    const packet = pick === before?.timestamp ? before : after;
    if (packet && !chosen.has(packet.timestamp)) chosen.set(packet.timestamp, { packet, requestedTime: time });
  }
  return [...chosen.values()].sort((a, b) => a.packet.timestamp - b.packet.timestamp);
}

/**
 * `fast` skimming: decodes only key frames, each at most once, with one decoder fed back to back
 * (every input is a key frame, so no reference chain is needed between them).
 */
export async function* decodeNearestKeyFrames(
  track: InputVideoTrack,
  times: readonly number[],
  signal?: AbortSignal,
): AsyncGenerator<DecodedFrame> {
  const plan = await planKeyFrames(track, times, signal);
  yield* decodeKeyPackets(track, plan, signal);
}

async function* decodeKeyPackets(
  track: InputVideoTrack,
  plan: readonly PlannedKeyFrame[],
  signal: AbortSignal | undefined,
): AsyncGenerator<DecodedFrame> {
  const [config, rotation] = await Promise.all([track.getDecoderConfig(), track.getRotation()]);
  if (!config) throw new AppError('unsupported-codec', 'This video uses a codec this app does not know.');
  const requestedByMicros = new Map(plan.map((p) => [p.packet.microsecondTimestamp, p.requestedTime]));
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
    for (const { packet } of plan) {
      throwIfAborted(signal);
      if (failure) break;
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
