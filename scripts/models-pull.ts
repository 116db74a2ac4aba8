/**
 * `npm run models:pull -- <id>[@dtype] ...`: downloads the files those models (and dtypes) need
 * into `models/`, for a static deployment that never touches the network. For a transformers.js
 * model, `models/manifest.json` names the repository and the dtypes; which files a dtype needs is
 * asked of transformers.js (transformers-files.ts) once config.json is in: the ONNX graphs with
 * their external-data chunks, the optional configs, tokenizer and processor. A web-llm build's
 * files are listed in the manifest, and its tensor-cache.json names the weight shards. Downloads go
 * to `<file>.part` and resume with an HTTP Range request; a file is renamed into place only after
 * its size (and sha256, when the manifest has one) checks out.
 *
 * MODELS_HUB_URL and MODELS_LIBS_URL replace the Hugging Face Hub and web-llm library hosts (tests
 * point them at a local server; a mirror works the same way). MODELS_DIR replaces `models/` as the
 * destination; `npm run build` reads the same variable.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { TransformersDtypeSpec } from '../src/models/registry';
import { companionFiles, graphFiles } from './transformers-files.ts';

export interface ManifestFile {
  /** Path inside the repository (hub) or file name (libs). */
  path: string;
  size?: number;
  sha256?: string;
}

interface ManifestModelBase {
  /** `<repo>/resolve/<revision>/<path>` on the Hub. */
  repo: string;
  revision?: string;
  /** Dtypes pulled when none is named. */
  defaultDtypes: string[];
}

/** A transformers.js model, saved as `models/<repo>/<path>`; its files come from transformers.js. */
export interface TransformersModel extends ManifestModelBase {
  layout?: 'transformers';
  /** Dtype name (the registry's `dtypeKey`) → what transformers.js loads: one dtype, or one per graph. */
  dtypes: Record<string, TransformersDtypeSpec>;
  /** Size and sha256 of files whose values are known, by path; others are checked against the size the server reports. */
  checks?: Record<string, Omit<ManifestFile, 'path'>>;
}

/** A web-llm build: weights under `<repo>/resolve/main/` as web-llm expects them (see webllm-client.ts). */
export interface MlcModel extends ManifestModelBase {
  layout: 'mlc';
  /** Repositories that hold one dtype only (web-llm publishes each quantisation separately). */
  dtypeRepos?: Record<string, string>;
  /** Files every dtype needs (configs, tokenizer, tensor-cache.json). */
  files: ManifestFile[];
  /** Files per dtype. */
  dtypes: Record<string, ManifestFile[]>;
  /** web-llm model libraries per dtype, from the libs host, saved as `models/mlc-ai/libs/<path>`. */
  libs?: Record<string, ManifestFile[]>;
}

export type ManifestModel = TransformersModel | MlcModel;

export interface Manifest {
  models: Record<string, ManifestModel>;
}

export interface PullOptions {
  manifest: Manifest;
  /** `<id>` or `<id>@<dtype>`. */
  requests: string[];
  modelsDir: string;
  hubUrl: string;
  libsUrl: string;
  log?: (line: string) => void;
}

export interface PlannedFile {
  url: string;
  dest: string;
  size?: number;
  sha256?: string;
}

export class PullError extends Error {
  override readonly name = 'PullError';
}

const DEFAULT_HUB_URL = 'https://huggingface.co';
const DEFAULT_LIBS_URL = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base';

/** Where files come from and go to. */
export type PullLocations = Pick<PullOptions, 'modelsDir' | 'hubUrl' | 'libsUrl'>;

/** Each requested model with each of its dtypes, checked before anything is fetched. */
export function requestedDtypes(manifest: Manifest, requests: readonly string[]): { id: string; model: ManifestModel; dtype: string }[] {
  return requests.flatMap((request) => {
    const [id = '', dtype] = request.split('@');
    const model = manifest.models[id];
    if (!model) throw new PullError(`Unknown model "${id}". Known: ${Object.keys(manifest.models).join(', ')}`);
    return (dtype ? [dtype] : model.defaultDtypes).map((name) => {
      if (!(name in model.dtypes)) throw new PullError(`Model "${id}" has no dtype "${name}". Known: ${Object.keys(model.dtypes).join(', ')}`);
      return { id, model, dtype: name };
    });
  });
}

/** A file of a transformers.js model, with the size and hash the manifest knows for it. */
export function transformersFile(model: TransformersModel, path: string, where: PullLocations): PlannedFile {
  return {
    ...model.checks?.[path],
    url: `${trimSlash(where.hubUrl)}/${model.repo}/resolve/${model.revision ?? 'main'}/${path}`,
    dest: resolve(where.modelsDir, model.repo, path),
  };
}

/**
 * The files one dtype of a web-llm build needs, as the manifest lists them. The weight shards are
 * not listed: its tensor-cache.json names them (`tensorCacheShards`).
 */
export function mlcFiles(model: MlcModel, dtype: string, where: PullLocations): PlannedFile[] {
  const list = model.dtypes[dtype] ?? [];
  const revision = model.revision ?? 'main';
  const repo = model.dtypeRepos?.[dtype] ?? model.repo;
  return [
    ...[...model.files, ...list].map((file) => ({
      ...file,
      url: `${trimSlash(where.hubUrl)}/${repo}/resolve/${revision}/${file.path}`,
      dest: resolve(where.modelsDir, repo, 'resolve', revision, file.path),
    })),
    ...(model.libs?.[dtype] ?? []).map((lib) => ({
      ...lib,
      url: `${trimSlash(where.libsUrl)}/${lib.path}`,
      dest: resolve(where.modelsDir, 'mlc-ai', 'libs', lib.path),
    })),
  ];
}

/** ONNX graphs and their external-data chunks, as transformers.js names them. */
export function isGraphFile(path: string): boolean {
  return /\.onnx(_data(_\d+)?)?$/.test(path);
}

/**
 * The files transformers.js loads for one dtype, given its config.json (already pulled), with the
 * graphs last: a folder that has every graph then has everything else, which the build's check
 * relies on (served-models.ts).
 */
async function transformersPlan(model: TransformersModel, dtype: string, where: PullLocations): Promise<PlannedFile[]> {
  const config = transformersFile(model, 'config.json', where);
  let parsed: object;
  try {
    parsed = JSON.parse(readFileSync(config.dest, 'utf8')) as object;
  } catch (error) {
    throw new PullError(`${config.url}: not a JSON config (${error instanceof Error ? error.message : String(error)})`);
  }
  const graphs = await graphFiles(model.repo, parsed, model.dtypes[dtype]!);
  const companions = await companionFiles(model.repo, { kind: 'hub', hubUrl: where.hubUrl, revision: model.revision ?? 'main' });
  const unknown = Object.keys(model.checks ?? {}).filter((path) => !graphs.includes(path) && !companions.includes(path));
  if (unknown.length > 0) throw new PullError(`${model.repo}: the manifest checks ${unknown.join(', ')}, which transformers.js does not load`);
  const paths = [...new Set([...companions, ...graphs.filter((path) => !isGraphFile(path)), ...graphs.filter(isGraphFile)])];
  return paths.map((path) => transformersFile(model, path, where));
}

export async function pullModels(options: PullOptions): Promise<PlannedFile[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pulled = new Map<string, PlannedFile>();
  /** Fetches the files not fetched yet in this run; returns the size of all of them. */
  const fetchAll = async (name: string, files: PlannedFile[]): Promise<number> => {
    let bytes = 0;
    for (const [index, file] of files.entries()) {
      bytes += pulled.has(file.dest) ? statSync(file.dest).size : await pullFile(file, (line) => log(`${name} [${index + 1}/${files.length}] ${line}`));
      pulled.set(file.dest, file);
    }
    return bytes;
  };
  for (const { id, model, dtype } of requestedDtypes(options.manifest, options.requests)) {
    const name = `${id}@${dtype}`;
    let files: PlannedFile[];
    if (model.layout === 'mlc') {
      files = mlcFiles(model, dtype, options);
      await fetchAll(name, files);
      const index = files.find((file) => file.dest.endsWith(`${sep}${TENSOR_CACHE}`));
      if (index) files = [...files, ...tensorCacheShards(index)];
    } else {
      await fetchAll(name, [transformersFile(model, 'config.json', options)]);
      files = await transformersPlan(model, dtype, options);
    }
    log(`${name}: ${files.length} files, ${megabytes(await fetchAll(name, files))}`);
  }
  return [...pulled.values()];
}

/** web-llm's weight index; its records name each shard file and its byte size. */
export const TENSOR_CACHE = 'tensor-cache.json';

/** The weight shards a downloaded tensor-cache.json names, next to it. */
export function tensorCacheShards(index: PlannedFile): PlannedFile[] {
  const parsed = JSON.parse(readFileSync(index.dest, 'utf8')) as { records?: { dataPath?: unknown; nbytes?: unknown }[] };
  return (parsed.records ?? []).flatMap((record) =>
    typeof record.dataPath === 'string' && typeof record.nbytes === 'number'
      ? [
          {
            url: new URL(record.dataPath, index.url).href,
            dest: resolve(dirname(index.dest), record.dataPath),
            size: record.nbytes,
          },
        ]
      : [],
  );
}

/** Fetches one file (resuming a `.part`), verifies it and moves it into place; returns its size. */
async function pullFile(file: PlannedFile, log: (line: string) => void): Promise<number> {
  const name = file.dest;
  if (existsSync(name) && (await verify(name, file)) === null) {
    log(`${name}: present`);
    return statSync(name).size;
  }
  mkdirSync(dirname(name), { recursive: true });
  const part = `${name}.part`;
  const have = existsSync(part) ? statSync(part).size : 0;
  const response = await fetch(file.url, have > 0 ? { headers: { Range: `bytes=${have}-` } } : {});
  if (!response.ok || !response.body) {
    throw new PullError(`${file.url}: HTTP ${response.status} ${response.statusText}`);
  }
  // 206: the server sent the rest. 200: it ignored the range, so start over.
  const resumed = response.status === 206 && have > 0;
  const start = resumed ? have : 0;
  const expected = file.size ?? totalSize(response, start);
  if (resumed) log(`${name}: resuming at ${megabytes(have)}`);
  let received = start;
  let lastShown = 0;
  const counted = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  counted.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const now = Date.now();
    if (now - lastShown > 1000) {
      lastShown = now;
      log(`${name}: ${megabytes(received)}${expected ? ` of ${megabytes(expected)} (${Math.round((100 * received) / expected)}%)` : ''}`);
    }
  });
  try {
    await pipeline(counted, createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  } catch (error) {
    throw new PullError(
      `${file.url}: download cut off after ${megabytes(received)} (${error instanceof Error ? error.message : String(error)}); run the command again to resume`,
    );
  }
  const problem = await verify(part, { ...file, size: expected });
  if (problem) {
    // A wrong hash or an oversized file cannot be fixed by resuming; a short one can.
    if (!problem.startsWith('short')) unlinkSync(part);
    throw new PullError(`${file.url}: ${problem}`);
  }
  renameSync(part, name);
  log(`${name}: done, ${megabytes(statSync(name).size)}`);
  return statSync(name).size;
}

/** Null when the file has the expected size and hash, else what is wrong. */
async function verify(path: string, file: { size?: number | undefined; sha256?: string | undefined }): Promise<string | null> {
  const size = statSync(path).size;
  if (file.size !== undefined && size < file.size) return `short: ${size} of ${file.size} bytes; run the command again to resume`;
  if (file.size !== undefined && size > file.size) return `size ${size} bytes, expected ${file.size}`;
  if (file.sha256) {
    const hash = createHash('sha256');
    await pipeline(createReadStream(path), hash);
    const digest = hash.digest('hex');
    if (digest !== file.sha256.toLowerCase()) return `sha256 ${digest}, expected ${file.sha256}`;
  }
  return null;
}

/** The whole file's size from Content-Range (206) or Content-Length (200). */
function totalSize(response: Response, start: number): number | undefined {
  const range = response.headers.get('content-range')?.match(/\/(\d+)$/);
  if (range?.[1]) return Number(range[1]);
  const length = response.headers.get('content-length');
  return length === null ? undefined : start + Number(length);
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** `models/` in the project, or MODELS_DIR (the build serves from the same place). */
export function modelsDirectory(root: string): string {
  return process.env.MODELS_DIR ? resolve(process.env.MODELS_DIR) : join(root, 'models');
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const requests = process.argv.slice(2);
  const manifest = JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')) as Manifest;
  if (requests.length === 0) {
    process.stderr.write(`usage: npm run models:pull -- <id>[@dtype] ...\nmodels: ${Object.keys(manifest.models).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  await pullModels({
    manifest,
    requests,
    modelsDir: modelsDirectory(root),
    hubUrl: process.env.MODELS_HUB_URL ?? DEFAULT_HUB_URL,
    libsUrl: process.env.MODELS_LIBS_URL ?? DEFAULT_LIBS_URL,
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
