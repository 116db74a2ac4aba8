/**
 * Which files transformers.js loads for a model, asked of transformers.js itself (its
 * `ModelRegistry`), so `models:pull` and the build's served-model check follow the library the
 * app runs instead of hand-written lists. Two parts, because they are found differently:
 * - graphs: config.json, each ONNX session in the dtype, the `.onnx_data` chunks that config.json's
 *   `transformers.js_config.use_external_data_format` names for it, and the optional configs the
 *   model class reads (generation_config.json), all decided by config.json alone;
 * - companions: the tokenizer and processor files, which transformers.js loads when it finds them
 *   beside the config (on the Hub, or in a folder on disk).
 * transformers.js is imported on first use: loading it costs a fraction of a second, which the
 * dev server and vitest need not pay when no model is pulled.
 */
import type { TransformersDtypeSpec } from '../src/models/registry';

/** Where companions are looked for: a Hub (or mirror) at a revision, or the folder `modelId` names on disk. */
export type CompanionLookup = { kind: 'hub'; hubUrl: string; revision: string } | { kind: 'folder' };

async function transformers(): Promise<typeof import('@huggingface/transformers')> {
  const library = await import('@huggingface/transformers');
  // Never its own file cache (inside node_modules), which could answer for a file not in the folder.
  library.env.useFSCache = false;
  return library;
}

/** config.json and the files it makes transformers.js load for `dtype`, as paths in the model folder. */
export async function graphFiles(modelId: string, config: object, dtype: TransformersDtypeSpec): Promise<string[]> {
  const { ModelRegistry } = await transformers();
  type Options = NonNullable<Parameters<typeof ModelRegistry.get_model_files>[1]>;
  return ModelRegistry.get_model_files(modelId, { config: config as Options['config'], dtype: dtype as Options['dtype'] });
}

/**
 * The tokenizer and processor files transformers.js finds for `modelId` (a repository id on the
 * Hub, an absolute folder path on disk). transformers.js remembers each answer for the life of the
 * process, so a folder is only asked about once its graphs are all in place (by then `models:pull`
 * has fetched these too).
 */
export async function companionFiles(modelId: string, lookup: CompanionLookup): Promise<string[]> {
  const { ModelRegistry, env } = await transformers();
  env.allowRemoteModels = lookup.kind === 'hub';
  env.allowLocalModels = lookup.kind === 'folder';
  if (lookup.kind === 'hub') {
    env.remoteHost = `${lookup.hubUrl.replace(/\/+$/, '')}/`;
    // The lookups below always ask for 'main'; the template pins the revision being pulled.
    env.remotePathTemplate = `{model}/resolve/${encodeURIComponent(lookup.revision)}/`;
  }
  return [...(await ModelRegistry.get_tokenizer_files(modelId)), ...(await ModelRegistry.get_processor_files(modelId))];
}
