/**
 * The small text tier: a transformers.js text model (Qwen3 0.6B on WASM) that writes answers from
 * transcript passages when no vision model can run. The plain data that crosses its worker's
 * boundary; the worker is `workers/text.worker.ts`, the client `text-client.ts`.
 */
import type { ModelDevice, TransformersDtypeSpec } from '../registry';
import type { ModelLoadProgress } from './load-progress';
import type { VlmWorkerSource } from './vlm-engine';

export interface TextWorkerLoadOptions {
  /** A Hub repository or a folder on this site, as for the VLM. */
  source: VlmWorkerSource;
  device: ModelDevice;
  dtype: TransformersDtypeSpec;
  /** The model's name in the messages of failures. */
  label: string;
}

export interface TextLoadResult {
  device: ModelDevice;
  /** transformers.js `model_type` read from config.json. */
  family: string;
  loadSeconds: number;
}

export interface TextWorkerGenerateRequest {
  /** Names the job for `cancel`. */
  jobId: string;
  prompt: string;
  system?: string;
  maxNewTokens: number;
}

/** A reply and its token ids (the tests compare them with PyTorch's). */
export interface TextReply {
  text: string;
  tokens: number[];
}

/** What `workers/text.worker.ts` exposes through comlink. */
export interface TextWorkerApi {
  load(options: TextWorkerLoadOptions, onProgress?: (progress: ModelLoadProgress) => void): Promise<TextLoadResult>;
  /** Greedy decoding of the chat-formatted prompt, streamed piece by piece. */
  generate(request: TextWorkerGenerateRequest, onToken?: (text: string) => void): Promise<TextReply>;
  cancel(jobId: string): void;
  dispose(): Promise<void>;
}
