/**
 * Which pulled models a deployment can serve, read from disk: a model's dtype counts only when
 * every file `models:pull` fetches for it is in place (a half-finished pull leaves `.part` files
 * or missing ones and is not offered). For a transformers.js model those are the files
 * transformers.js names for its config.json (transformers-files.ts: graphs with their
 * external-data chunks, optional configs, tokenizer and processor), so an export placed by hand
 * (SAGE-MM from models/export) is checked the same way, with the release's prompt pack beside it
 * when there is one; for a web-llm build, the listed files and the shards its tensor-cache.json
 * names. The build copies exactly those files and writes `models/served.json`
 * (src/models/served-models.ts reads it in the browser); the dev server answers the same list.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { ServedModels } from '../src/models/served-models';
import {
  TENSOR_CACHE,
  isGraphFile,
  mlcFiles,
  tensorCacheShards,
  transformersFile,
  type Manifest,
  type MlcModel,
  type PlannedFile,
  type TransformersModel,
} from './models-pull.ts';
import { companionFiles, graphFiles } from './transformers-files.ts';

/** Where the build writes the list; the same path as the app's SERVED_MODELS_PATH (a test checks). */
export const SERVED_MODELS_PATH = 'models/served.json';

export interface ServedModelFiles {
  served: ServedModels;
  /** Every file of the served dtypes, relative to the models folder, each once. */
  files: string[];
}

/** The URLs do not matter here, only where the files land. */
const NOWHERE = { hubUrl: 'http://local', libsUrl: 'http://local' };

export async function findServedModels(manifest: Manifest, modelsDir: string): Promise<ServedModelFiles> {
  const models: Record<string, string[]> = {};
  const files = new Set<string>();
  for (const [id, model] of Object.entries(manifest.models)) {
    for (const dtype of Object.keys(model.dtypes)) {
      const needed = model.layout === 'mlc' ? mlcNeeds(model, dtype, modelsDir) : await transformersNeeds(model, dtype, modelsDir);
      if (!needed) continue;
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

/** The listed files plus the weight shards tensor-cache.json names, all in place; else undefined. */
function mlcNeeds(model: MlcModel, dtype: string, modelsDir: string): PlannedFile[] | undefined {
  const files = mlcFiles(model, dtype, { ...NOWHERE, modelsDir });
  const index = files.find((file) => file.dest.endsWith(`${sep}${TENSOR_CACHE}`));
  if (index && !isComplete(index)) return undefined;
  let needed: PlannedFile[];
  try {
    needed = index ? [...files, ...tensorCacheShards(index)] : files;
  } catch {
    return undefined;
  }
  return needed.every(isComplete) ? needed : undefined;
}

/** The SAGE release's prompts, written beside an export by models/export. */
const PROMPT_PACK = 'sage_prompts.json';

/**
 * The files transformers.js loads for `dtype`, all in place; else undefined. The graphs are
 * checked before the tokenizer and processor are looked for: `models:pull` fetches those first,
 * so while a graph is missing, a missing tokenizer may only be not yet pulled.
 */
async function transformersNeeds(model: TransformersModel, dtype: string, modelsDir: string): Promise<PlannedFile[] | undefined> {
  const where = { ...NOWHERE, modelsDir };
  const config = transformersFile(model, 'config.json', where);
  if (!isComplete(config)) return undefined;
  let parsed: object;
  try {
    parsed = JSON.parse(readFileSync(config.dest, 'utf8')) as object;
  } catch {
    return undefined;
  }
  const graphs = (await graphFiles(model.repo, parsed, model.dtypes[dtype]!)).map((path) => transformersFile(model, path, where));
  if (!graphs.filter((file) => isGraphFile(file.dest)).every(isComplete)) return undefined;
  const folder = dirname(config.dest);
  const companions = (await companionFiles(folder, { kind: 'folder' })).map((path) => transformersFile(model, path, where));
  const needed = [...graphs, ...companions];
  if (!needed.every(isComplete)) return undefined;
  const pack = join(folder, PROMPT_PACK);
  return existsSync(pack) ? [...needed, { url: config.url, dest: pack }] : needed;
}

function isComplete(file: PlannedFile): boolean {
  if (!existsSync(file.dest) || existsSync(`${file.dest}.part`)) return false;
  const size = statSync(file.dest).size;
  return file.size === undefined ? size > 0 : size === file.size;
}
