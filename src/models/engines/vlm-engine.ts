/**
 * The vision-language model as the agent sees it (Stage 1, Stage 2 and the visual tools), and the
 * plain data that crosses the VLM worker's boundary. The engine itself runs in
 * `workers/vlm.worker.ts`; `vlm-client.ts` is the main-thread implementation of `VlmEngine`.
 */
import type { ModelDevice, TransformersDtypeSpec } from '../registry';
import type { ModelLoadProgress } from './load-progress';
import type { ModelWorkProgress, VlmGenerateRequest, VlmImage, VlmVideo } from '../../core/contracts';

export type VlmLoadProgress = ModelLoadProgress;

export interface VlmLoadResult {
  device: ModelDevice;
  /** transformers.js `model_type` read from the model's config.json. */
  family: string;
  loadSeconds: number;
  /** Whether `generate` takes `video` (Qwen2.5-VL family); otherwise frames go as images. */
  acceptsVideo: boolean;
  /** The SAGE release's prompts, when the model folder carries them (`sage_prompts.json`). */
  promptPack?: unknown;
}

export interface VlmEngine {
  /** Fetches and initialises the model; rejects with an AppError saying why it could not (engine-errors.ts). */
  load(onProgress?: (progress: VlmLoadProgress) => void): Promise<VlmLoadResult>;
  /** Greedy decoding (deterministic replies); calls are served one at a time, in order. */
  generate(request: VlmGenerateRequest): Promise<string>;
  /** Ends the running generation early; its `generate` resolves with the text so far. */
  interrupt(): Promise<void>;
  /** Frees the model; the engine cannot be used afterwards. */
  dispose(): Promise<void>;
}

/** Where the worker reads model files from. Nothing else is fetched. */
export type VlmWorkerSource =
  | { kind: 'hub'; repo: string; revision?: string }
  /** Absolute URL of a model folder served by this site (config.json, onnx/, ...). */
  | { kind: 'url'; url: string };

export interface VlmWorkerLoadOptions {
  source: VlmWorkerSource;
  device: ModelDevice;
  dtype: TransformersDtypeSpec;
  /** The model's name in the messages of failures. */
  label: string;
  /** Suggested when the model does not fit in memory. */
  smallerLabel?: string;
  /**
   * Prompt tokens per decoder run when a long prompt is prefilled in parts (models/export graphs);
   * by default as many as keep the attention scores within their budget (chunked-prefill.ts).
   */
  prefillChunkTokens?: number;
}


export interface VlmWorkerGenerateRequest {
  /** Names the job for `cancel`. */
  jobId: string;
  prompt: string;
  system?: string;
  images: readonly VlmImage[];
  video?: VlmVideo;
  maxNewTokens: number;
}

/** What the model made of a prompt: its inputs, positions, first logits and greedy tokens (tests, bench). */
export interface VlmInspection {
  inputIds: number[];
  /** Row-major, [patches, channels x temporal x patch x patch]; absent for text-only prompts. */
  pixelValues?: Float32Array;
  pixelShape?: number[];
  gridThw?: number[];
  /** mRoPE positions and generation offset (Qwen families); empty and 0 for the others. */
  positionIds: number[][];
  ropeDelta: number;
  nextTokenLogits: Float32Array;
  greedyTokens: number[];
  visualTokens: number;
  visionSeconds: number;
  /** Vision-encoder calls the prompt took (how a video's temporal patches were laid out). */
  visionCalls: number;
  /** Decoder runs the prompt's prefill took (more than 1 when it ran in parts). */
  prefillRuns: number;
}

/** What `workers/vlm.worker.ts` exposes through comlink. */
export interface VlmWorkerApi {
  load(options: VlmWorkerLoadOptions, onProgress?: (progress: VlmLoadProgress) => void): Promise<VlmLoadResult>;
  /** `onWork` hears each vision call and each part of a prompt prefilled in parts (the client's watchdog listens). */
  generate(request: VlmWorkerGenerateRequest, onToken?: (text: string) => void, onWork?: (progress: ModelWorkProgress) => void): Promise<string>;
  /** Runs one prompt for inspection: processor outputs, positions, next-token logits, `greedySteps` tokens. */
  inspect(request: VlmWorkerGenerateRequest, greedySteps: number): Promise<VlmInspection>;
  /** Runs only the vision encoder on a prompt's pictures or video (bench): tokens made, seconds taken. */
  measureVision(request: VlmWorkerGenerateRequest): Promise<{ visualTokens: number; visionSeconds: number }>;
  /** Stops the running job after its current token; its `generate` resolves with the text so far. */
  interrupt(): void;
  /** Drops the job with this id (queued or running); its `generate` rejects with a 'cancelled' AppError. */
  cancel(jobId: string): void;
  dispose(): Promise<void>;
}
