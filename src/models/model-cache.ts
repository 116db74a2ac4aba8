/**
 * The models this browser keeps, read from the caches the engines fill themselves: transformers.js
 * ('transformers-cache', keyed by file URL) and web-llm ('webllm/model', 'webllm/config',
 * 'webllm/wasm'), plus the model files the app page's service worker keeps from this site's
 * `models/` (bundled Whisper, served models). Listing and deleting go through those caches, so
 * nothing is stored twice.
 */
import { AppError } from '../core/errors';
import { MODELS, type ModelEntry } from './registry';
import { SERVED_MODELS_PATH } from './served-models';

export const TRANSFORMERS_CACHE = 'transformers-cache';
export const WEBLLM_CACHES = ['webllm/model', 'webllm/config', 'webllm/wasm'] as const;
/** The cache of public/app-shell-sw.js (a test keeps the two names the same). */
export const APP_SHELL_CACHE = 'sage-app-shell-v1';

/**
 * The app shell's cache also holds the page and its scripts: only its `models/` files are models,
 * and of those not the list of what the site serves (`models/served.json`).
 */
function isModelFile(cacheName: string, url: string): boolean {
  if (cacheName !== APP_SHELL_CACHE) return true;
  const path = new URL(url).pathname;
  return path.includes('/models/') && !path.endsWith(`/${SERVED_MODELS_PATH}`);
}

const MODEL_CACHES = [TRANSFORMERS_CACHE, ...WEBLLM_CACHES, APP_SHELL_CACHE];

export interface CachedModel {
  /** Registry id when the files belong to a known model, else the repository or folder. */
  id: string;
  label: string;
  bytes: number;
  files: number;
}

export interface StorageStatus {
  usageBytes: number;
  quotaBytes: number;
  /** True when the browser promised not to evict this site's data under storage pressure. */
  persisted: boolean;
}

/** Which model a cached URL belongs to: the registry entry whose repository or web-llm build it names. */
function ownerOf(url: string, registry: readonly ModelEntry[]): { id: string; label: string } {
  for (const entry of registry) {
    const { source } = entry;
    const names =
      source.kind === 'hub' ? [`/${source.repo}/`] : source.kind === 'local' ? [`/${source.path}/`] : Object.values(source.builds).flatMap((b) => (b ? [`/${b.modelId}/`, `/${b.modelLib}`] : []));
    if (entry.bundledPath) names.push(`/models/${entry.bundledPath}/`);
    if (names.some((name) => url.includes(name))) return { id: entry.id, label: entry.label };
  }
  // ONNX Runtime's WASM files, cached by transformers.js from this app's own build.
  if (/\/ort-wasm[^/]*$/.test(new URL(url).pathname)) return { id: 'onnx-runtime', label: 'ONNX Runtime (WASM)' };
  const repo = url.match(/https?:\/\/[^/]+\/([^/]+\/[^/]+)\//)?.[1] ?? url;
  return { id: repo, label: repo };
}

async function sizeOf(response: Response): Promise<number> {
  const length = response.headers.get('content-length');
  return length !== null ? Number(length) : (await response.blob()).size;
}

/**
 * Stored models, largest first. A file this site serves can be in two caches (the service worker's
 * and transformers.js' own, which keeps what it loaded from the site under the same URL): it is one
 * file of the model and counts once.
 */
export async function listCachedModels(registry: readonly ModelEntry[] = MODELS, storage: CacheStorage = caches): Promise<CachedModel[]> {
  const byId = new Map<string, CachedModel>();
  const counted = new Set<string>();
  for (const name of MODEL_CACHES) {
    if (!(await storage.has(name))) continue;
    const cache = await storage.open(name);
    for (const request of await cache.keys()) {
      if (!isModelFile(name, request.url) || counted.has(request.url)) continue;
      counted.add(request.url);
      const response = await cache.match(request);
      if (!response) continue;
      const owner = ownerOf(request.url, registry);
      const model = byId.get(owner.id) ?? { ...owner, bytes: 0, files: 0 };
      model.bytes += await sizeOf(response);
      model.files += 1;
      byId.set(owner.id, model);
    }
  }
  return [...byId.values()].sort((a, b) => b.bytes - a.bytes);
}

/** Deletes every cached file of a model (by registry id or by the repository `listCachedModels` named). */
export async function deleteCachedModel(id: string, registry: readonly ModelEntry[] = MODELS, storage: CacheStorage = caches): Promise<number> {
  let deleted = 0;
  for (const name of MODEL_CACHES) {
    if (!(await storage.has(name))) continue;
    const cache = await storage.open(name);
    for (const request of await cache.keys()) {
      if (isModelFile(name, request.url) && ownerOf(request.url, registry).id === id && (await cache.delete(request))) deleted += 1;
    }
  }
  return deleted;
}

/** Asks the browser not to evict the models under storage pressure; false when it declines. */
export async function requestPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  return (await navigator.storage.persisted()) || navigator.storage.persist();
}

export async function storageStatus(): Promise<StorageStatus> {
  const estimate = (await navigator.storage?.estimate?.()) ?? {};
  return {
    usageBytes: estimate.usage ?? 0,
    quotaBytes: estimate.quota ?? 0,
    persisted: (await navigator.storage?.persisted?.()) ?? false,
  };
}

/** Whether `neededBytes` more fit in this site's quota; a clear error before a download that cannot finish. */
export async function ensureRoomFor(neededBytes: number, label: string): Promise<void> {
  const { usageBytes, quotaBytes } = await storageStatus();
  if (quotaBytes > 0 && usageBytes + neededBytes > quotaBytes) {
    throw new AppError(
      'quota-exceeded',
      `${label} needs about ${Math.ceil(neededBytes / 2 ** 20)} MB but this browser allows this site only ${Math.floor((quotaBytes - usageBytes) / 2 ** 20)} MB more. Delete cached models you no longer use or free disk space.`,
      { detail: `usage ${usageBytes} + ${neededBytes} > quota ${quotaBytes}` },
    );
  }
}
