/**
 * The models a deployment serves itself: `models/served.json`, written by the build from what
 * `npm run models:pull` fetched (vite.config.ts), lists each registry id with the dtypes whose
 * files are all in place. A served model loads from this site instead of the Hub, so a static
 * deployment answers with no network at all.
 *
 * Layout under `models/`: `<repo>/` for transformers.js models (the registry entry's Hub repo),
 * `mlc-ai/<modelId>/resolve/main/` and `mlc-ai/libs/` for web-llm builds.
 */
import { dtypeKey, type DtypeSpec, type ModelEntry } from './registry';

export interface ServedModels {
  /** Registry id → manifest dtype keys (`dtypeKey`) served in full. */
  readonly models: Readonly<Record<string, readonly string[]>>;
}

export const NO_SERVED_MODELS: ServedModels = { models: {} };

/** Where the list lives, relative to the site root. */
export const SERVED_MODELS_PATH = 'models/served.json';

/** Whether this site serves the files `entry` needs for `dtype`. */
export function isServed(served: ServedModels, entry: ModelEntry, dtype: DtypeSpec): boolean {
  return served.models[entry.id]?.includes(dtypeKey(dtype)) ?? false;
}

/** The folder on this site that holds a served transformers.js model (its Hub repo under models/). */
export function servedFolderUrl(entry: ModelEntry, siteRoot: string): string | undefined {
  if (entry.source.kind !== 'hub') return undefined;
  return new URL(`models/${entry.source.repo}/`, siteRoot).href;
}

/** The `models/` folder of the site, which web-llm reads self-hosted builds from. */
export function servedModelsUrl(siteRoot: string): string {
  return new URL('models/', siteRoot).href;
}

/** Reads a served.json body; anything malformed counts as nothing served. */
export function parseServedModels(value: unknown): ServedModels {
  if (typeof value !== 'object' || value === null) return NO_SERVED_MODELS;
  const models = (value as { models?: unknown }).models;
  if (typeof models !== 'object' || models === null) return NO_SERVED_MODELS;
  const entries = Object.entries(models).flatMap(([id, dtypes]) =>
    Array.isArray(dtypes) && dtypes.every((dtype) => typeof dtype === 'string') ? [[id, dtypes] as const] : [],
  );
  return { models: Object.fromEntries(entries) };
}

const lists = new Map<string, Promise<ServedModels>>();

/** `fetchServedModels` once per site root for the page's lifetime (a deployment does not change under it). */
export function servedModelsAt(siteRoot: string): Promise<ServedModels> {
  let list = lists.get(siteRoot);
  if (!list) {
    list = fetchServedModels(siteRoot);
    lists.set(siteRoot, list);
  }
  return list;
}

/**
 * The site's list, or nothing served when there is none (a deployment without pulled models
 * answers 404) or it cannot be read: the app then loads models from the Hub as usual.
 */
export async function fetchServedModels(siteRoot: string, fetchFn: typeof fetch = fetch): Promise<ServedModels> {
  try {
    const response = await fetchFn(new URL(SERVED_MODELS_PATH, siteRoot).href, { cache: 'no-cache' });
    if (!response.ok) return NO_SERVED_MODELS;
    return parseServedModels(await response.json());
  } catch {
    return NO_SERVED_MODELS;
  }
}
