/** The Whisper worker's API and the plain data that crosses its boundary. */
import type { VadRegionOptions } from '../../speech/vad-regions';
import type { TimeSpan, TranscriptSegment } from '../../core/contracts';
import type { TransformersDtype } from '../registry';
import type { ModelLoadProgress } from './load-progress';

export type WhisperDevice = 'webgpu' | 'wasm';

/** ONNX weight variants transformers.js can load; the npm-packaged models ship `q8` only. */
export type WhisperDtype = TransformersDtype;

export interface WhisperLoadOptions {
  /** Model folder name under `modelBaseUrl`, e.g. 'Xenova/whisper-base'. */
  model: string;
  /** Absolute URL of the folder that holds model folders (ends with '/'). Nothing else is fetched. */
  modelBaseUrl: string;
  device: WhisperDevice;
  /** The model's name in the messages of failures, e.g. 'Whisper base'. */
  label: string;
  /** One variant for all parts, or per part ({ encoder_model: 'fp32', decoder_model_merged: 'q4' }). Default 'q8'. */
  dtype?: WhisperDtype | Record<string, WhisperDtype>;
  /**
   * After jobs totalling this many 30 s windows, the model is disposed and recreated before the next
   * job: transformers.js leaks GPU memory across Whisper chunks on WebGPU (transformers.js#1739).
   * Default 40 on WebGPU, never on WASM.
   */
  recreateAfterWindows?: number;
  /**
   * WASM threads (default: every core up to 4). Used only where the page is cross-origin isolated,
   * and only by the worker's first load, when ONNX Runtime starts.
   */
  threads?: number;
}

export type WhisperLoadProgress = ModelLoadProgress;

export interface WhisperLoadResult {
  device: WhisperDevice;
  loadSeconds: number;
  /** WASM threads ONNX Runtime was told to use (1 on WebGPU, where it does not apply). */
  threads: number;
}

export interface WhisperTranscribeOptions {
  /** Absolute time of the first sample: segment times are offset by it. */
  offsetSeconds: number;
  /** Spoken language ('en', 'english', ...); detected by Whisper when left out. */
  language?: string;
  /** Skip non-speech with Silero VAD (default on); an object tunes the region rules. */
  vad?: boolean | Partial<VadRegionOptions>;
  /** Names the job for `cancel`. */
  jobId?: string;
}

export interface WhisperTranscribeResult {
  /** Segments with absolute times, in order. */
  segments: TranscriptSegment[];
  /** Seconds of audio received. */
  audioSeconds: number;
  /** Seconds of audio Whisper actually processed (speech regions packed together). */
  whisperSeconds: number;
  /** Where VAD found speech, in absolute times (the whole audio when VAD is off). */
  speechRegions: TimeSpan[];
  /** Wall time of the VAD and Whisper steps. */
  vadSeconds: number;
  asrSeconds: number;
}

/** What `workers/whisper.worker.ts` exposes through comlink. Audio is 16 kHz mono. */
export interface WhisperWorkerApi {
  /**
   * Starts ONNX Runtime's WASM (with `threads`, default every core up to 4, where isolated) and
   * Silero VAD on it; resolves with the threads it runs with. Must come before the first `load`.
   */
  startRuntime(device: WhisperDevice, threads?: number): Promise<{ threads: number }>;
  load(options: WhisperLoadOptions, onProgress?: (progress: WhisperLoadProgress) => void): Promise<WhisperLoadResult>;
  /** `onAdvance` is called (at most about once a second) while the job makes progress, for the client's watchdog. */
  transcribe(audio: Float32Array, options: WhisperTranscribeOptions, onAdvance?: () => void): Promise<WhisperTranscribeResult>;
  /** Stops the job with this id at its next step; its `transcribe` rejects with a 'cancelled' AppError. */
  cancel(jobId: string): void;
  /** Frees the model and the VAD session. */
  dispose(): Promise<void>;
}
