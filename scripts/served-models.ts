/**
 * Which pulled models a deployment can serve, read from disk: a model's dtype counts only when
 * every file `models:pull` fetches for it is in place (a half-finished pull leaves `.part` files
 * and is not offered). The build copies exactly those files and writes `models/served.json`
 * (src/models/served-models.ts reads it in the browser); the dev server answers the same list.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
      const needed = withShards(dtypeFiles(model, dtype, { ...NOWHERE, modelsDir }));
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

function isComplete(file: PlannedFile): boolean {
  if (!existsSync(file.dest) || existsSync(`${file.dest}.part`)) return false;
  const size = statSync(file.dest).size;
  return file.size === undefined ? size > 0 : size === file.size;
}
