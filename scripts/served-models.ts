/**
 * Which pulled models a deployment can serve, read from disk: a model's dtype counts only when
 * every file `models:pull` fetches for it is in place (a half-finished pull leaves `.part` files
 * and is not offered), together with the external-data chunks its config.json names for those
 * graphs (an export of over 2 GB, e.g. SAGE-MM from models/export) and, when there is one, the
 * release's prompt pack beside it. The build copies exactly those files and writes
 * `models/served.json` (src/models/served-models.ts reads it in the browser); the dev server
 * answers the same list.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { ServedModels } from '../src/models/served-models';
import { TENSOR_CACHE, dtypeFiles, tensorCacheShards, type Manifest, type PlannedFile } from './models-pull.ts';

/** Where the build writes the list; the same path as the app's SERVED_MODELS_PATH (a test checks). */
export const SERVED_MODELS_PATH = 'models/served.json';

export interface ServedModelFiles {
  served: ServedModels;
  /** Every file of the served dtypes, relative to the models folder, each once. */
  files: string[];
}

/** The URLs do not matter here, only where the files land. */
const NOWHERE = { hubUrl: 'http://local', libsUrl: 'http://local' };

export function findServedModels(manifest: Manifest, modelsDir: string): ServedModelFiles {
  const models: Record<string, string[]> = {};
  const files = new Set<string>();
  for (const [id, model] of Object.entries(manifest.models)) {
    for (const dtype of Object.keys(model.dtypes)) {
      const needed = withExternalData(withShards(dtypeFiles(model, dtype, { ...NOWHERE, modelsDir })));
      if (!needed || !needed.every(isComplete)) continue;
      (models[id] ??= []).push(dtype);
      for (const file of needed) files.add(relative(modelsDir, file.dest));
    }
  }
  return { served: { models }, files: [...files] };
}

/** Reads `models/manifest.json` from the project. */
export function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')) as Manifest;
}

/** The files plus the weight shards a web-llm tensor-cache.json names; undefined while it is missing. */
function withShards(files: PlannedFile[]): PlannedFile[] | undefined {
  const index = files.find((file) => file.dest.endsWith(TENSOR_CACHE));
  if (!index) return files;
  if (!isComplete(index)) return undefined;
  try {
    return [...files, ...tensorCacheShards(index)];
  } catch {
    return undefined;
  }
}

/** The SAGE release's prompts, written beside an export by models/export. */
const PROMPT_PACK = 'sage_prompts.json';

/**
 * The files plus the external-data chunks config.json lists for them, and the prompt pack if the
 * folder has one; undefined when config.json cannot be read.
 */
function withExternalData(files: PlannedFile[] | undefined): PlannedFile[] | undefined {
  const config = files?.find((file) => basename(file.dest) === 'config.json');
  if (!files || !config || !isComplete(config)) return files;
  let chunks: Record<string, unknown> | number | boolean | undefined;
  try {
    const parsed = JSON.parse(readFileSync(config.dest, 'utf8')) as { 'transformers.js_config'?: { use_external_data_format?: typeof chunks } };
    chunks = parsed['transformers.js_config']?.use_external_data_format;
  } catch {
    return undefined;
  }
  const extra: PlannedFile[] = [];
  for (const file of files) {
    const name = basename(file.dest);
    if (!name.endsWith('.onnx')) continue;
    const count = typeof chunks === 'object' ? Number(chunks[name] ?? chunks[name.replace(/(_(?:fp16|q4f16|q4|q8|int8|uint8|bnb4|quantized))?\.onnx$/, '')] ?? 0) : Number(chunks ?? 0);
    for (let chunk = 0; chunk < count; chunk++) {
      extra.push({ url: file.url, dest: `${file.dest}_data${chunk === 0 ? '' : `_${chunk}`}` });
    }
  }
  const pack = join(dirname(config.dest), PROMPT_PACK);
  if (existsSync(pack)) extra.push({ url: config.url, dest: pack });
  return [...files, ...extra];
}

function isComplete(file: PlannedFile): boolean {
  if (!existsSync(file.dest) || existsSync(`${file.dest}.part`)) return false;
  const size = statSync(file.dest).size;
  return file.size === undefined ? size > 0 : size === file.size;
}
