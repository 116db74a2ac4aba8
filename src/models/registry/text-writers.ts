/**
 * Text models that write answers from transcript passages when no vision model can run (the small
 * text tier, transformers.js on WASM or WebGPU). Used only where their files load without a
 * download: served by this site, or kept in this browser after use.
 */
import type { ModelEntry } from './types';

/** The random-weight Qwen3 with the text tier's layout, served from this repository (models/tiny/make_tiny_text.py). */
export const TINY_TEST_TEXT_WRITER_ID = 'tiny-random-qwen3';

export const TEXT_WRITERS: readonly ModelEntry[] = [
  {
    id: 'qwen3-0.6b',
    role: 'text-writer',
    label: 'Qwen3 0.6B',
    family: 'qwen3',
    source: { kind: 'hub', repo: 'onnx-community/Qwen3-0.6B-ONNX' },
    status: 'ready',
    devices: {
      // onnx/model_q4f16.onnx is 569,821,751 bytes (graph and weights, as a published repack of it
      // lists them), 543 MB, plus about 12 MB of tokenizer and configs. q4 keeps the 151,936 x 1,024
      // token embedding in float32, 297 MB more than float16. Neither was pulled here: estimates.
      webgpu: { dtype: 'q4f16', dtypeWithoutF16: 'q4', downloadMB: 555, downloadWithoutF16MB: 852, memoryMB: 1100, memoryWithoutF16MB: 1400, downloadIsEstimate: true },
      wasm: { dtype: 'q4', downloadMB: 852, memoryMB: 1400, downloadIsEstimate: true },
    },
    license: 'apache-2.0',
    notes:
      'The small text tier: writes answers from the retrieved passages of the speech, citing their times. ' +
      'Sizes are estimates from the published size of its q4f16 graph (543 MB) and the float32 embedding q4 keeps; ' +
      'memory is taken as about 1.4x the q4f16 download. ' +
      'The architecture runs here through the real worker with a tiny random-weight Qwen3 ' +
      '(models/tiny/make_tiny_text.py); the real weights were not run on this machine (no network).',
  },
  {
    id: TINY_TEST_TEXT_WRITER_ID,
    role: 'text-writer',
    label: 'Tiny random Qwen3 (test)',
    family: 'qwen3',
    source: { kind: 'local', path: 'models/tiny/tiny-random-qwen3' },
    status: 'test-only',
    devices: { wasm: { dtype: 'fp32', downloadMB: 0.7, memoryMB: 16 } },
    license: 'apache-2.0',
    notes: 'Random weights with the layout of Qwen3 0.6B, for tests of the text tier path; its words are noise.',
  },
];
