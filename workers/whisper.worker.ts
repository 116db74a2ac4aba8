/**
 * Whisper speech recognition in its own worker: transformers.js' automatic-speech-recognition
 * pipeline, with Silero VAD in front so only speech reaches Whisper. Loads only from the URLs it is
 * given and serves ONNX Runtime's WASM from the app itself (never a CDN).
 */
import * as Comlink from 'comlink';
import {
  BaseStreamer,
  env,
  pipeline,
  type AutomaticSpeechRecognitionPipeline,
  type TextStreamer,
} from '@huggingface/transformers';
import * as ort from 'onnxruntime-web/webgpu';
import sileroModelUrl from '@ricky0123/vad-web/dist/silero_vad_v5.onnx?url';
import { AppError, cancelledError } from '../src/core/errors';
import { installAppErrorTransfer } from '../src/rpc/comlink-errors';
import { AUDIO_SAMPLE_RATE } from '../src/media/types';
import { SILERO_FRAME_SECONDS, SileroVad } from '../src/speech/silero-vad';
import { mergeSpans } from '../src/speech/spans';
import {
  compactLayout,
  gatherSamples,
  mapSegments,
  speechRegions,
  splitLongRegions,
  windowLayouts,
  type CompactLayout,
} from '../src/speech/vad-regions';
import type { TimeSpan, TranscriptSegment } from '../src/core/contracts';
import { failOnServerErrors, generateFailure, loadFailure } from '../src/models/engines/engine-errors';
import { progressForwarder } from '../src/models/engines/load-progress';
import { configureOnnxWasm, useOnnxBuildFor, wasmThreads } from '../src/models/engines/onnx-wasm';
import type {
  WhisperLoadOptions,
  WhisperLoadProgress,
  WhisperLoadResult,
  WhisperTranscribeOptions,
  WhisperTranscribeResult,
  WhisperWorkerApi,
} from '../src/models/engines/whisper-types';

installAppErrorTransfer();

/** Whisper reads 30 s windows. */
const CHUNK_SECONDS = 30;
/**
 * Without VAD there is no pause to cut at: the pipeline's own chunking, with 5 s of overlap on each
 * side merged on the tokens, stitches the windows.
 */
const STRIDE_SECONDS = 5;
/**
 * Most silence kept between packed speech regions: enough for Whisper to see a pause and end its
 * segment there (with less, it stretches a segment's end into the next region).
 */
const MAX_JOIN_SECONDS = 2;
const DEFAULT_RECREATE_AFTER_WINDOWS_WEBGPU = 40;
const VAD_LABEL = 'Silero VAD (speech detection)';

configureOnnxWasm(ort.env.wasm);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.fetch = failOnServerErrors(fetch.bind(self));

interface Job {
  id: string | undefined;
  cancelled: boolean;
}

let asr: AutomaticSpeechRecognitionPipeline | null = null;
let loaded: { options: WhisperLoadOptions; recreateAfter: number } | null = null;
let windowsSinceLoad = 0;
let vad: SileroVad | null = null;
const jobs = new Set<Job>();

/**
 * Throws from inside generation as soon as the job is cancelled (the pipeline has no abort hook),
 * and tells the client's watchdog that tokens are coming.
 */
class CancelOnPut extends BaseStreamer {
  constructor(
    private readonly job: Job,
    private readonly advance: () => void,
  ) {
    super();
  }
  override put(): void {
    if (this.job.cancelled) throw cancelledError();
    this.advance();
  }
  override end(): void {}
}

async function createPipeline(
  options: WhisperLoadOptions,
  onProgress?: (progress: WhisperLoadProgress) => void,
): Promise<AutomaticSpeechRecognitionPipeline> {
  env.localModelPath = localModelPath(options.modelBaseUrl);
  const { model, modelBaseUrl, device, dtype = 'q8', label } = options;
  try {
    return await pipeline('automatic-speech-recognition', model, {
      device,
      dtype,
      progress_callback: onProgress ? progressForwarder(onProgress) : undefined,
    });
  } catch (error) {
    throw loadFailure(error, { label, where: `${model} from ${modelBaseUrl} on ${device} (${JSON.stringify(dtype)})` });
  }
}

/**
 * transformers.js skips its existence checks (and so the feature extractor) for a local model path
 * that is a full http(s) URL, so a same-origin URL is reduced to its path.
 */
function localModelPath(modelBaseUrl: string): string {
  const url = new URL(modelBaseUrl, self.location.href);
  if (url.origin !== self.location.origin) {
    throw new AppError('invalid-argument', 'Speech models must be served by this site.', { detail: modelBaseUrl });
  }
  return url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
}

async function disposePipeline(): Promise<void> {
  const current = asr;
  asr = null;
  await current?.dispose();
}

async function getVad(): Promise<SileroVad> {
  if (!vad) {
    try {
      vad = await SileroVad.create(ort, new URL(sileroModelUrl, self.location.href).href);
    } catch (error) {
      throw loadFailure(error, { label: VAD_LABEL, where: sileroModelUrl });
    }
  }
  return vad;
}

/** At most one progress report a second: each one is a message to the page. */
function throttled(onAdvance: (() => void) | undefined): () => void {
  if (!onAdvance) return () => {};
  let last = 0;
  return () => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    void Promise.resolve(onAdvance()).catch(() => {});
  };
}

/** Number of 30 s windows the pipeline runs for this many seconds of audio with its stride. */
function stridedWindowCount(seconds: number): number {
  const jump = CHUNK_SECONDS - 2 * STRIDE_SECONDS;
  return seconds <= CHUNK_SECONDS ? 1 : 1 + Math.ceil((seconds - CHUNK_SECONDS) / jump);
}

interface WhisperChunk {
  timestamp: [number, number | null];
  text: string;
}

type Recognizer = (audio: Float32Array, chunked: boolean) => Promise<TranscriptSegment[]>;

/** Segments of `audio`, timed from its start; `chunked` lets the pipeline cut audio over 30 s itself. */
function recognizer(pipe: AutomaticSpeechRecognitionPipeline, job: Job, options: WhisperTranscribeOptions, advance: () => void): Recognizer {
  return async (audio, chunked) => {
    const output = await pipe(audio, {
      return_timestamps: true,
      ...(chunked ? { chunk_length_s: CHUNK_SECONDS, stride_length_s: STRIDE_SECONDS } : {}),
      task: 'transcribe',
      ...(options.language ? { language: options.language } : {}),
      // The option's declared type asks for a TextStreamer; generate() only ever calls put() and end().
      streamer: new CancelOnPut(job, advance) as unknown as TextStreamer,
    });
    const seconds = audio.length / AUDIO_SAMPLE_RATE;
    return ((output as { chunks?: WhisperChunk[] }).chunks ?? [])
      .map((chunk) => ({ start: chunk.timestamp[0], end: chunk.timestamp[1] ?? seconds, text: chunk.text.trim() }))
      .filter((segment) => segment.text.length > 0);
  };
}

/**
 * Speech regions packed into windows of at most 30 s cut only between regions (a long region was
 * cut at a pause first), each transcribed on its own: no sentence straddles a window border.
 */
async function transcribeWindows(audio: Float32Array, windows: readonly CompactLayout[], recognize: Recognizer, offsetSeconds: number): Promise<TranscriptSegment[]> {
  const segments: TranscriptSegment[] = [];
  for (const window of windows) {
    segments.push(...mapSegments(await recognize(gatherSamples(audio, window, AUDIO_SAMPLE_RATE), false), window, offsetSeconds));
  }
  return segments;
}

async function transcribe(audio: Float32Array, options: WhisperTranscribeOptions, onAdvance?: () => void): Promise<WhisperTranscribeResult> {
  if (!loaded) throw new AppError('invalid-argument', 'The speech recognition model is not loaded yet.');
  // Read now: dispose() may clear `loaded` while the job runs.
  const { label } = loaded.options;
  const job: Job = { id: options.jobId, cancelled: false };
  const advance = throttled(onAdvance);
  jobs.add(job);
  try {
    const audioSeconds = audio.length / AUDIO_SAMPLE_RATE;
    const detector = options.vad === false ? null : await getVad();
    advance();
    const started = performance.now();
    let regions: TimeSpan[] = [{ start: 0, end: audioSeconds }];
    if (detector) {
      const probabilities = await detector.probabilities(audio, () => {
        advance();
        return job.cancelled;
      });
      const found = speechRegions(probabilities, SILERO_FRAME_SECONDS, audioSeconds, typeof options.vad === 'object' ? options.vad : {});
      regions = splitLongRegions(found, probabilities, SILERO_FRAME_SECONDS, CHUNK_SECONDS);
    }
    const vadSeconds = (performance.now() - started) / 1000;
    const layout = compactLayout(regions, audio.length, AUDIO_SAMPLE_RATE, MAX_JOIN_SECONDS);
    if (layout.pieces.length === 0) {
      return { segments: [], audioSeconds, whisperSeconds: 0, speechRegions: [], vadSeconds, asrSeconds: 0 };
    }

    if (job.cancelled) throw cancelledError();
    if (!asr) asr = await createPipeline(loaded.options);
    advance();
    const recognize = recognizer(asr, job, options, advance);
    const asrStarted = performance.now();
    let segments: TranscriptSegment[];
    let windows: number;
    if (detector) {
      const layouts = windowLayouts(layout, CHUNK_SECONDS);
      segments = await transcribeWindows(audio, layouts, recognize, options.offsetSeconds);
      windows = layouts.length;
    } else {
      segments = mapSegments(await recognize(audio, true), layout, options.offsetSeconds);
      windows = stridedWindowCount(audioSeconds);
    }
    const asrSeconds = (performance.now() - asrStarted) / 1000;
    // Cancellation on the last token can slip past the streamer.
    if (job.cancelled) throw cancelledError();

    windowsSinceLoad += windows;
    if (windowsSinceLoad >= loaded.recreateAfter) {
      // Free the leaked memory now; the next job recreates the model.
      windowsSinceLoad = 0;
      await disposePipeline();
    }

    return {
      segments,
      audioSeconds,
      whisperSeconds: layout.duration,
      speechRegions: mergeSpans(
        layout.pieces.map((p) => ({ start: options.offsetSeconds + p.sourceStart, end: options.offsetSeconds + p.sourceEnd })),
      ),
      vadSeconds,
      asrSeconds,
    };
  } catch (error) {
    if (job.cancelled) throw cancelledError();
    throw generateFailure(error, { label });
  } finally {
    jobs.delete(job);
    // The callback is a comlink proxy: release its port, or every job would leave one open.
    (onAdvance as Partial<Comlink.Remote<() => void>> | undefined)?.[Comlink.releaseProxy]?.();
  }
}

const api: WhisperWorkerApi = {
  async startRuntime(device, threads) {
    // Read by ONNX Runtime when it starts, which creating the VAD's session does.
    if (!vad) {
      if (threads !== undefined) ort.env.wasm.numThreads = wasmThreads(threads);
      useOnnxBuildFor(ort.env.wasm, device);
    }
    await getVad();
    return { threads: ort.env.wasm.numThreads ?? 1 };
  },
  async load(options, onProgress) {
    const started = performance.now();
    await disposePipeline();
    asr = await createPipeline(options, onProgress);
    loaded = {
      options,
      recreateAfter:
        options.recreateAfterWindows ?? (options.device === 'webgpu' ? DEFAULT_RECREATE_AFTER_WINDOWS_WEBGPU : Infinity),
    };
    windowsSinceLoad = 0;
    const result: WhisperLoadResult = {
      device: options.device,
      loadSeconds: (performance.now() - started) / 1000,
      threads: options.device === 'wasm' ? (ort.env.wasm.numThreads ?? 1) : 1,
    };
    return result;
  },
  transcribe,
  cancel(jobId) {
    for (const job of jobs) if (job.id === jobId) job.cancelled = true;
  },
  async dispose() {
    for (const job of jobs) job.cancelled = true;
    loaded = null;
    await disposePipeline();
    await vad?.dispose();
    vad = null;
  },
};

Comlink.expose(api);
