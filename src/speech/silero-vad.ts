/**
 * Silero VAD v5 on ONNX Runtime Web: one speech probability per 32 ms frame of 16 kHz audio.
 * Runs on the ONNX Runtime instance it is given (the Whisper worker passes the one transformers.js
 * already loaded), so the app ships one runtime and one set of WASM files.
 */
import type * as OrtWeb from 'onnxruntime-web';
import { cancelledError } from '../core/errors';

type Ort = typeof OrtWeb;

export const SILERO_SAMPLE_RATE = 16_000;
export const SILERO_FRAME_SAMPLES = 512;
export const SILERO_FRAME_SECONDS = SILERO_FRAME_SAMPLES / SILERO_SAMPLE_RATE;
/** v5 expects the last 64 samples of the previous frame in front of each frame. */
const CONTEXT_SAMPLES = 64;
/** Frames between yields to the event loop, so a cancel message can arrive during long audio. */
const FRAMES_PER_YIELD = 1024;

export class SileroVad {
  private constructor(
    private readonly ort: Ort,
    private readonly session: OrtWeb.InferenceSession,
  ) {}

  static async create(ort: Ort, modelUrl: string): Promise<SileroVad> {
    // The model is tiny and runs frame by frame: the CPU beats a GPU round trip per frame.
    const session = await ort.InferenceSession.create(modelUrl, { executionProviders: ['wasm'] });
    return new SileroVad(ort, session);
  }

  /** Speech probability of each 512-sample frame; the last frame is zero-padded. */
  async probabilities(audio: Float32Array, isCancelled: () => boolean = () => false): Promise<Float32Array> {
    const { ort } = this;
    const frames = Math.ceil(audio.length / SILERO_FRAME_SAMPLES);
    const result = new Float32Array(frames);
    const window = new Float32Array(CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES);
    const input = new ort.Tensor('float32', window, [1, window.length]);
    const sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE)), [1]);
    let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);

    for (let frame = 0; frame < frames; frame++) {
      if (frame % FRAMES_PER_YIELD === 0) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (isCancelled()) throw cancelledError();
      }
      // Tail of the previous frame becomes this frame's context; the runtime copies `window` on
      // every run, so reusing one buffer is safe.
      window.copyWithin(0, SILERO_FRAME_SAMPLES);
      const from = frame * SILERO_FRAME_SAMPLES;
      const samples = audio.subarray(from, from + SILERO_FRAME_SAMPLES);
      window.set(samples, CONTEXT_SAMPLES);
      if (samples.length < SILERO_FRAME_SAMPLES) window.fill(0, CONTEXT_SAMPLES + samples.length);

      const out = await this.session.run({ input, state, sr });
      const probability = out['output']?.data[0];
      const next = out['stateN'];
      if (typeof probability !== 'number' || !next) throw new Error('Silero VAD returned no output');
      result[frame] = probability;
      state = next as typeof state;
    }
    return result;
  }

  /** Frees the ONNX session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
