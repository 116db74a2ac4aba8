/**
 * A long prompt through the decoder in parts. models/export's decoder does attention as MatMul and
 * Softmax, so one run over L prompt tokens holds a [heads, L, L] float32 score tensor per layer: at
 * a 5,900-token Stage 1 that is 4.46 GB for a 32-head model, past WASM's 4 GiB and the buffer
 * limits of common GPUs. Run in chunks of C tokens, each chunk attends to the cached keys of the
 * chunks before it, and the scores are [heads, C, past + C]. The graph's causal mask counts the
 * past (models/export/sage_export/graphs.py `causal_mask`), so the result is the one-run result
 * (tests/browser/chunked-prefill.test.ts compares both with PyTorch on the tiny models).
 *
 * Installed on the decoder session beneath anything else that wraps its `run` (DeepStack adds its
 * input first, then the chunks slice it).
 */
import { zerosLike } from '../tensor-data';

/**
 * The most bytes one layer's attention scores may take. A chunk's softmax holds the scores and its
 * output at once, so this keeps a run's largest activations near 0.5 GiB, inside WASM's heap beside
 * a 3B model's weights and inside every WebGPU adapter's usual 1–4 GiB buffer limit.
 */
export const ATTENTION_SCORES_BUDGET_BYTES = 256 * 1024 * 1024;

/** Fewer tokens a run would cost more runs than the scores save (each run reads every weight). */
const MIN_CHUNK_TOKENS = 64;

/**
 * Tokens per decoder run for a prompt that ends at `totalPositions` (cached plus new), so that
 * `heads` float32 score rows over every position fit the budget.
 */
export function prefillChunkTokens(heads: number, totalPositions: number, budgetBytes = ATTENTION_SCORES_BUDGET_BYTES): number {
  if (!(heads > 0) || !(totalPositions > 0)) throw new Error(`no chunk size for ${heads} heads over ${totalPositions} positions`);
  return Math.max(MIN_CHUNK_TOKENS, Math.floor(budgetBytes / (heads * totalPositions * Float32Array.BYTES_PER_ELEMENT)));
}

/** Attention heads of a transformers.js config (the text model's, for the vision-language families). */
export function attentionHeads(config: Record<string, unknown>): number {
  const text = config.text_config as Record<string, unknown> | undefined;
  return Number(text?.num_attention_heads ?? config.num_attention_heads);
}

type Data = Float32Array | Uint16Array | BigInt64Array;
/** An ONNX Runtime tensor; new ones are made with the constructor of the one they come from. */
interface OrtTensor {
  readonly data: Data;
  readonly dims: readonly number[];
  readonly type: string;
  readonly location?: string;
  dispose?(): void;
}
interface DecoderSession {
  run(feeds: Record<string, unknown>, options?: unknown): Promise<Record<string, OrtTensor>>;
}

const PAST = 'past_key_values.';
const PRESENT = 'present.';
/** The inputs of models/export's decoder; a graph with any other input runs in one piece. */
const SLICED_INPUTS = new Set(['inputs_embeds', 'attention_mask', 'position_ids', 'num_logits_to_keep', 'deepstack_visual_embeds']);

export interface ChunkedPrefill {
  /**
   * Called after each chunk of a prompt run in parts with the prompt tokens done and the total;
   * the running job sets it (progress, and a place to stop: a throw ends the prefill).
   */
  onChunk: ((done: number, total: number) => Promise<void>) | null;
  /** Decoder runs the last prompt took (1 when it ran in one piece). */
  readonly lastRuns: number;
}

/**
 * Wraps the decoder session so a prompt longer than `chunkTokens(totalPositions)` runs in parts.
 * Only batch 1 (the worker's) asking for its last logits is split; decode steps pass through.
 */
export function installChunkedPrefill(session: DecoderSession, chunkTokens: (totalPositions: number) => number): ChunkedPrefill {
  const runWhole = session.run.bind(session);
  const state: { onChunk: ChunkedPrefill['onChunk']; lastRuns: number } = { onChunk: null, lastRuns: 0 };

  session.run = async (feeds, options) => {
    const embeds = feeds.inputs_embeds as OrtTensor | undefined;
    const length = embeds?.dims[1] ?? 0;
    // A decode step (one token) passes straight through.
    if (length <= 1) return runWhole(feeds, options);
    const mask = feeds.attention_mask as OrtTensor | undefined;
    const keep = feeds.num_logits_to_keep as OrtTensor | undefined;
    // The last chunk's run gives the last position's logits only; a caller asking for more (0 is
    // every position's, as large as the scores the parts avoid) gets one run.
    const lastLogitsOnly = keep !== undefined && Number(keep.data[0]) === 1;
    const splittable =
      embeds && mask && embeds.dims[0] === 1 && lastLogitsOnly && Object.keys(feeds).every((name) => SLICED_INPUTS.has(name) || name.startsWith(PAST));
    const chunk = splittable ? chunkTokens(mask.dims[1]!) : Infinity;
    if (!splittable || length <= chunk) {
      state.lastRuns = 1;
      return runWhole(feeds, options);
    }
    const pastLength = mask.dims[1]! - length;
    const pastNames = Object.keys(feeds).filter((name) => name.startsWith(PAST));
    let past: Record<string, OrtTensor> = Object.fromEntries(pastNames.map((name) => [name, feeds[name] as OrtTensor]));
    let ownPast = false;
    state.lastRuns = 0;
    try {
      for (let start = 0; start < length; start += chunk) {
        const end = Math.min(start + chunk, length);
        const last = end === length;
        const part: Record<string, unknown> = { ...feeds, ...past };
        part.inputs_embeds = sliceAxis(embeds, 1, start, end);
        part.attention_mask = sliceAxis(mask, 1, 0, pastLength + end);
        if (feeds.position_ids) {
          const positions = feeds.position_ids as OrtTensor;
          part.position_ids = sliceAxis(positions, positions.dims.length - 1, start, end);
        }
        if (feeds.deepstack_visual_embeds) part.deepstack_visual_embeds = sliceAxis(feeds.deepstack_visual_embeds as OrtTensor, 2, start, end);
        const out = await runWhole(part, options);
        state.lastRuns += 1;
        if (ownPast) disposeAll(past);
        past = Object.fromEntries(pastNames.map((name) => [name, out[PRESENT + name.slice(PAST.length)]!]));
        ownPast = true;
        if (last) return out;
        await state.onChunk?.(end, length);
      }
    } catch (error) {
      if (ownPast) disposeAll(past);
      throw error;
    }
    throw new Error('a chunked prefill ended without its last chunk');
  };

  return state;
}

/**
 * A tensor of `model`'s class: transformers.js wraps a run's outputs only when they are instances
 * of the class ONNX Runtime returns, which is not always the one it builds its inputs with.
 */
function like(model: OrtTensor, data: Data, dims: readonly number[]): OrtTensor {
  return new (model.constructor as new (type: string, data: Data, dims: readonly number[]) => OrtTensor)(model.type, data, dims);
}

/** Intermediate caches a chunk replaced; on WebGPU they are GPU buffers that only dispose frees. */
function disposeAll(tensors: Record<string, OrtTensor>): void {
  for (const tensor of Object.values(tensors)) if (tensor.location === 'gpu-buffer') tensor.dispose?.();
}

/** [start, end) of one axis of a row-major CPU tensor. */
function sliceAxis(tensor: OrtTensor, axis: number, start: number, end: number): OrtTensor {
  const dims = [...tensor.dims];
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const span = (end - start) * inner;
  const out = zerosLike(tensor.data, outer * span);
  for (let block = 0; block < outer; block++) {
    const from = (block * dims[axis]! + start) * inner;
    out.set(tensor.data.subarray(from, from + span) as never, block * span);
  }
  dims[axis] = end - start;
  return like(tensor, out, dims);
}
