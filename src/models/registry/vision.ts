/**
 * Vision-language models: the SAGE-MM orchestrators, the Qwen-VL family models that stand in until a
 * SAGE-MM export is served, and the random-weight test model. Download sizes not marked
 * `downloadIsEstimate` are byte sums of the files transformers.js loads, as `models/manifest.json`
 * records them (tests/node/models/registry.test.ts checks them); memory figures are estimates.
 */
import type { ModelEntry } from './types';

/** The orchestrator used until a SAGE-MM browser build exists (docs/models.md says why). */
export const DEFAULT_VLM_ID = 'qwen2.5-vl-3b-instruct';
/** The random-weight model with the default family's layout, served from this repository. */
export const TINY_TEST_VLM_ID = 'tiny-random-qwen2.5-vl';

/**
 * Why the SAGE-MM sizes below are what they are (2026-12-07): models/export writes every linear
 * layer and the token embedding in 4 bits (blocks of 32 with float16 scales in q4f16, float32 in
 * q4), so the largest buffer is the packed embedding or LM head. Measured on random-weight builds
 * of the published shapes (`npm run export:full -- <base> --measure`, docs/performance.md): the
 * 4B's, 7B's and 8B's downloads are their graphs' bytes plus 11 MiB for the real tokenizer.json,
 * and their largest buffers the packed embedding (and the 7B's and 8B's LM head). Memory is
 * ONNX Runtime's peak resident memory (Python, CPU, a 64-token prompt and 8 decode steps),
 * measured: 4B q4f16 3.87 GiB, q4 3.66 GiB; 7B 5.78 and 5.34 GiB; 8B 6.06 and 5.60 GiB. A long Stage-1
 * prompt's cache and attention add to it, and a GPU runtime's memory differs.
 */
const SAGE_MM_NOTES =
  'The released checkpoint is PyTorch safetensors; models/export (python -m sage_export) writes the ' +
  'transformers.js export (vision_encoder, embed_tokens, decoder_model_merged in q4/q4f16, and the ' +
  "release's prompts), served from models/<its repository>/. Sizes were measured on a random-weight " +
  'build of this shape or computed from it by the export tool (docs/performance.md says which). ';

export const VISION_MODELS: readonly ModelEntry[] = [
  {
    id: 'sage-mm-qwen3-vl-8b',
    role: 'orchestrator-vlm',
    label: 'SAGE-MM (Qwen3-VL 8B, SFT+RL)',
    family: 'qwen3_vl',
    source: { kind: 'hub', repo: 'allenai/SAGE-MM-Qwen3-VL-8B-SFT_RL' },
    status: 'needs-export',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 4725,
        memoryMB: 6205,
        downloadWithoutF16MB: 5255,
        memoryWithoutF16MB: 5734,
        largestBufferMB: 297,
        largestBufferWithoutF16MB: 297,
        downloadIsEstimate: true,
      },
    },
    license: 'apache-2.0',
    notes:
      SAGE_MM_NOTES +
      "The release's evaluation runs this one as the orchestrator. Qwen3-VL 8B: hidden 4096, 36 layers, " +
      'untied 151,936-token embedding and head (the largest buffers, 297 MiB each in 4 bits, measured), DeepStack fed ' +
      'to the decoder by the VLM worker. Too large for WASM.',
  },
  {
    id: 'sage-mm-qwen2.5-vl-7b',
    role: 'orchestrator-vlm',
    label: 'SAGE-MM (Qwen2.5-VL 7B, SFT+RL)',
    family: 'qwen2_5_vl',
    source: { kind: 'hub', repo: 'allenai/SAGE-MM-Qwen2.5-VL-7B-SFT_RL' },
    status: 'needs-export',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 4465,
        memoryMB: 5919,
        downloadWithoutF16MB: 4962,
        memoryWithoutF16MB: 5468,
        largestBufferMB: 260,
        largestBufferWithoutF16MB: 260,
        downloadIsEstimate: true,
      },
    },
    license: 'apache-2.0',
    notes:
      SAGE_MM_NOTES +
      'Qwen2.5-VL 7B: the largest buffers are the 152k x 3584 token embedding and LM head (260 MiB each in ' +
      '4 bits). Too large for WASM (4 GB address space).',
  },
  {
    id: 'sage-mm-qwen3-vl-4b',
    role: 'orchestrator-vlm',
    label: 'SAGE-MM (Qwen3-VL 4B, SFT+RL)',
    family: 'qwen3_vl',
    source: { kind: 'hub', repo: 'allenai/SAGE-MM-Qwen3-VL-4B-SFT_RL' },
    status: 'needs-export',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 2609,
        memoryMB: 3960,
        downloadWithoutF16MB: 2904,
        memoryWithoutF16MB: 3750,
        largestBufferMB: 186,
        largestBufferWithoutF16MB: 186,
        downloadIsEstimate: true,
      },
    },
    license: 'apache-2.0',
    notes:
      SAGE_MM_NOTES +
      'Qwen3-VL 4B: hidden 2560, 36 layers, a tied 151,936-token embedding (186 MiB in 4 bits, also the ' +
      "LM head), DeepStack fed to the decoder by the VLM worker. The only SAGE-MM whose memory fits the budget of a browser that " +
      'reports 8 GB (Chromium reports at most 8).',
  },
  {
    id: DEFAULT_VLM_ID,
    role: 'orchestrator-vlm',
    label: 'Qwen2.5-VL 3B Instruct',
    family: 'qwen2_5_vl',
    source: { kind: 'hub', repo: 'onnx-community/Qwen2.5-VL-3B-Instruct-ONNX' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 2550,
        memoryMB: 4000,
        memoryWithoutF16MB: 4600,
        largestBufferMB: 625,
        downloadIsEstimate: true,
      },
    },
    license: 'qwen-research',
    notes:
      'Same family as SAGE-MM (processor, chat template, mRoPE, ONNX layout), so SAGE prompts and ' +
      'the engine path carry over unchanged. The q4f16 size was read off the repository listing by ' +
      'hand in an earlier session (no byte list was found for this refresh); memory and the largest ' +
      'buffer (the 152k x 2048 fp16 token embedding) are estimates.',
  },
  {
    id: 'qwen3.5-2b',
    role: 'orchestrator-vlm',
    label: 'Qwen3.5 2B',
    family: 'qwen3_5',
    source: { kind: 'hub', repo: 'onnx-community/Qwen3.5-2B-ONNX' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 1527.2,
        downloadWithoutF16MB: 1691.2,
        memoryMB: 2400,
        memoryWithoutF16MB: 2900,
        // embed_tokens_q4f16.onnx_data: the 248k x 2048 token embedding at 4 bits with its scales.
        largestBufferMB: 281,
      },
    },
    license: 'apache-2.0',
    notes:
      'Natively multimodal Qwen3.5 (Gated DeltaNet and attention layers; vision without DeepStack). ' +
      'Runs through the Qwen3-VL input path of the VLM worker (video as timed temporal patches), whose ' +
      'inputs and positions for Qwen3.5 are checked against PyTorch transformers 5.24; the model itself ' +
      'was not run here (no Hub). ' +
      'transformers.js issue 1599 reports Qwen3.5 decoding several times slower than Qwen3 on WebGPU. ' +
      'Memory is an estimate.',
  },
  {
    id: 'qwen3.5-0.8b',
    role: 'orchestrator-vlm',
    label: 'Qwen3.5 0.8B',
    family: 'qwen3_5',
    source: { kind: 'hub', repo: 'onnx-community/Qwen3.5-0.8B-ONNX' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 635.2,
        downloadWithoutF16MB: 702.8,
        memoryMB: 1200,
        memoryWithoutF16MB: 1500,
        // embed_tokens_q4f16.onnx_data: the 248k x 1024 token embedding at 4 bits with its scales.
        largestBufferMB: 141,
      },
      wasm: { dtype: 'q4', downloadMB: 702.8, memoryMB: 1500, wasmSecondsPerAnswer: [670, 1860] },
    },
    license: 'apache-2.0',
    notes:
      'The smallest Qwen-family VLM with a transformers.js export; its q4f16 files are under 700 MB. ' +
      'Runs through the Qwen3-VL input path of the VLM worker, like Qwen3.5 2B (not run here). On ' +
      'WASM its 45-token temporal patches keep a 128-frame skim near 5,900 prompt tokens and its decoder ' +
      'is small, the cheapest Stage 1 of the VLMs here. Memory is an estimate; the WASM time is ' +
      'extrapolated from rates measured on the Qwen2.5-VL-3B shape (docs/models.md).',
  },
  {
    id: 'qwen2-vl-2b-instruct',
    role: 'orchestrator-vlm',
    label: 'Qwen2-VL 2B Instruct',
    family: 'qwen2_vl',
    source: { kind: 'hub', repo: 'onnx-community/Qwen2-VL-2B-Instruct' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'q4f16',
        dtypeWithoutF16: 'q4',
        downloadMB: 1500,
        memoryMB: 2500,
        memoryWithoutF16MB: 2900,
        largestBufferMB: 470,
        downloadIsEstimate: true,
      },
      wasm: { dtype: 'q4', downloadMB: 1700, memoryMB: 2800, downloadIsEstimate: true, wasmSecondsPerAnswer: [1720, 4760] },
    },
    license: 'apache-2.0',
    notes:
      'Previous Qwen VL generation, same processor and chat template; the worker gives it the skim as ' +
      'one video (two frames per temporal patch, one temporal patch per vision call: a Hub graph) with ' +
      "Qwen2-VL's own positions, inputs and positions checked against PyTorch transformers 4.57.1. The " +
      'WASM time is extrapolated from rates measured on the Qwen2.5-VL-3B shape (docs/models.md). Sizes are estimates.',
  },
  {
    id: 'smolvlm-256m-instruct',
    role: 'orchestrator-vlm',
    label: 'SmolVLM 256M Instruct',
    family: 'idefics3',
    source: { kind: 'hub', repo: 'HuggingFaceTB/SmolVLM-256M-Instruct' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'fp16',
        dtypeWithoutF16: 'fp32',
        downloadMB: 520,
        memoryMB: 900,
        downloadWithoutF16MB: 1030,
        memoryWithoutF16MB: 1500,
        downloadIsEstimate: true,
      },
      wasm: { dtype: 'q4', downloadMB: 260, memoryMB: 600, downloadIsEstimate: true, wasmSecondsPerAnswer: [870, 2400] },
    },
    license: 'apache-2.0',
    notes:
      'Smallest download, weak at SAGE JSON; each skim frame becomes a 512-px image of its own, so on ' +
      "WASM its Stage 1 costs more than Qwen3.5 0.8B's. Its picture inputs are made by the worker " +
      '(resized as Pillow does, which transformers.js does not) and checked against PyTorch on a tiny ' +
      'Idefics3 with its logits. Sizes are estimates.',
  },
  {
    id: TINY_TEST_VLM_ID,
    role: 'orchestrator-vlm',
    label: 'Tiny random Qwen2.5-VL (tests only)',
    family: 'qwen2_5_vl',
    source: { kind: 'local', path: 'models/tiny/tiny-random-qwen2_5_vl' },
    status: 'test-only',
    devices: {
      // WASM only: on Chromium's software WebGPU adapter a 768-token reply takes minutes.
      wasm: { dtype: 'q4', downloadMB: 0.4, memoryMB: 16 },
    },
    license: 'apache-2.0',
    notes: 'Seeded random weights exported by models/export; made by models/tiny/make_tiny.py.',
  },
];
