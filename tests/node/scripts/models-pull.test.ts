import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullModels, type Manifest } from '../../../scripts/models-pull';

const weights = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
/** A Qwen2.5-VL export whose decoder keeps its weights in two external-data chunks. */
const config = Buffer.from(JSON.stringify({ model_type: 'qwen2_5_vl', text_config: { model_type: 'qwen2_5_vl_text' }, 'transformers.js_config': { use_external_data_format: { decoder_model_merged: 2 } } }));
const shard = Buffer.alloc(50_000, 3);
const tensorCache = Buffer.from(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: shard.length }] }));
const vlm = '/acme/vlm/resolve/main';
const files: Record<string, Buffer> = {
  [`${vlm}/config.json`]: config,
  [`${vlm}/generation_config.json`]: Buffer.from('{}'),
  [`${vlm}/tokenizer.json`]: Buffer.from('{"model":{}}'),
  [`${vlm}/tokenizer_config.json`]: Buffer.from('{}'),
  [`${vlm}/preprocessor_config.json`]: Buffer.from('{}'),
  // Not loaded by transformers.js 4.3 (its Qwen processor reads the template from tokenizer_config.json).
  [`${vlm}/chat_template.json`]: Buffer.from('{}'),
  [`${vlm}/onnx/embed_tokens_q4.onnx`]: Buffer.from('embed'),
  [`${vlm}/onnx/vision_encoder_q4.onnx`]: Buffer.from('vision'),
  [`${vlm}/onnx/decoder_model_merged_q4.onnx`]: Buffer.from('decoder'),
  [`${vlm}/onnx/decoder_model_merged_q4.onnx_data`]: weights,
  [`${vlm}/onnx/decoder_model_merged_q4.onnx_data_1`]: Buffer.from('rest of the weights'),
  // Another dtype's graph, not asked for.
  [`${vlm}/onnx/decoder_model_merged_fp16.onnx`]: Buffer.from('fp16'),
  '/mlc-ai/Text-q4f16_1-MLC/resolve/main/tensor-cache.json': tensorCache,
  '/mlc-ai/Text-q4f16_1-MLC/resolve/main/params_shard_0.bin': shard,
  '/libs/text.wasm': Buffer.from('wasm'),
};
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** What transformers.js loads for q4, saved under models/acme/vlm/. */
const Q4_FILES = [
  'config.json',
  'generation_config.json',
  'onnx/decoder_model_merged_q4.onnx',
  'onnx/decoder_model_merged_q4.onnx_data',
  'onnx/decoder_model_merged_q4.onnx_data_1',
  'onnx/embed_tokens_q4.onnx',
  'onnx/vision_encoder_q4.onnx',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

const manifest: Manifest = {
  models: {
    vlm: {
      repo: 'acme/vlm',
      dtypes: { q4: 'q4', fp16: 'fp16' },
      checks: { 'onnx/decoder_model_merged_q4.onnx_data': { size: weights.length, sha256: sha(weights) } },
      defaultDtypes: ['q4'],
    },
    text: {
      repo: 'mlc-ai/Text-q4f16_1-MLC',
      layout: 'mlc',
      files: [{ path: 'tensor-cache.json' }],
      dtypes: { q4f16_1: [] },
      libs: { q4f16_1: [{ path: 'text.wasm' }] },
      defaultDtypes: ['q4f16_1'],
    },
  },
};

let server: Server;
let base: string;
/** Paths whose next full response is cut off halfway (the connection closes early). */
const cutOnce = new Set<string>();
const rangesSeen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '';
    const body = files[path];
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    const range = request.headers.range?.match(/^bytes=(\d+)-$/);
    if (range) {
      rangesSeen.push(`${path} ${range[0]}`);
      const start = Number(range[1]);
      response.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
      response.end(body.subarray(start));
      return;
    }
    response.writeHead(200, { 'Content-Length': body.length });
    if (cutOnce.delete(path)) {
      // A clean close of the connection (not a reset), so the half already sent reaches the client.
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.end());
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function tempModels(): string {
  return mkdtempSync(join(tmpdir(), 'models-pull-'));
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const DATA = 'acme/vlm/onnx/decoder_model_merged_q4.onnx_data';

describe('models:pull', () => {
  it('fetches what transformers.js loads for the dtype, external-data chunks included, and nothing else', async () => {
    const dir = tempModels();
    await pullModels({ manifest, requests: ['vlm', 'vlm@q4'], modelsDir: dir, hubUrl: base, libsUrl: `${base}/libs`, log: () => {} });
    expect(filesUnder(dir)).toEqual(Q4_FILES.map((file) => `acme/vlm/${file}`));
    expect(readFileSync(join(dir, DATA)).equals(weights)).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('refuses an unknown model or dtype before fetching anything', async () => {
    const dir = tempModels();
    const options = { manifest, modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} };
    await expect(pullModels({ ...options, requests: ['vlm', 'nope'] })).rejects.toThrow(/Unknown model "nope"/);
    await expect(pullModels({ ...options, requests: ['vlm@q8'] })).rejects.toThrow(/no dtype "q8"/);
    expect(filesUnder(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });

  it('downloads and verifies, then skips files already present', async () => {
    const dir = tempModels();
    const lines: string[] = [];
    await pullModels({ manifest, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: `${base}/libs`, log: (l) => lines.push(l) });
    const bytes = Q4_FILES.reduce((sum, file) => sum + files[`${vlm}/${file}`]!.length, 0);
    expect(lines).toContain(`vlm@q4: ${Q4_FILES.length} files, ${(bytes / 1024).toFixed(1)} KB`);
    const again: string[] = [];
    await pullModels({ manifest, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: `${base}/libs`, log: (l) => again.push(l) });
    expect(again.filter((l) => l.endsWith(': present'))).toHaveLength(Q4_FILES.length);
    rmSync(dir, { recursive: true });
  });

  it('a cut-off download fails with a message to run again', async () => {
    const dir = tempModels();
    cutOnce.add(`${vlm}/onnx/decoder_model_merged_q4.onnx_data`);
    const options = { manifest, requests: ['vlm@q4'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} };
    await expect(pullModels(options)).rejects.toThrow(/cut off|short.*resume/);
    expect(existsSync(join(dir, DATA))).toBe(false);
    rmSync(dir, { recursive: true });
  });

  // How much of a cut-off body reaches disk before the error depends on timing, so the resume is
  // tested from a known partial file, as a cut-off run leaves it.
  it('a partial file left by an earlier run resumes with a Range request', async () => {
    const dir = tempModels();
    const part = join(dir, `${DATA}.part`);
    mkdirSync(dirname(part), { recursive: true });
    writeFileSync(part, weights.subarray(0, 120_000));
    const lines: string[] = [];
    await pullModels({ manifest, requests: ['vlm@q4'], modelsDir: dir, hubUrl: base, libsUrl: base, log: (l) => lines.push(l) });
    expect(rangesSeen).toContain(`${vlm}/onnx/decoder_model_merged_q4.onnx_data bytes=120000-`);
    expect(lines.some((l) => /resuming at/.test(l))).toBe(true);
    expect(readFileSync(join(dir, DATA)).equals(weights)).toBe(true);
    expect(existsSync(part)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('rejects a file whose hash does not match and does not keep it', async () => {
    const dir = tempModels();
    const corrupt: Manifest = {
      models: { vlm: { repo: 'acme/vlm', dtypes: { q4: 'q4' }, checks: { 'onnx/decoder_model_merged_q4.onnx_data': { sha256: 'ab'.repeat(32) } }, defaultDtypes: ['q4'] } },
    };
    await expect(pullModels({ manifest: corrupt, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} })).rejects.toThrow(/sha256/);
    expect(existsSync(join(dir, DATA))).toBe(false);
    expect(existsSync(join(dir, `${DATA}.part`))).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('refuses a manifest that checks a file transformers.js does not load', async () => {
    const dir = tempModels();
    const stale: Manifest = { models: { vlm: { repo: 'acme/vlm', dtypes: { q4: 'q4' }, checks: { 'onnx/model_q4.onnx': { size: 4 } }, defaultDtypes: ['q4'] } } };
    await expect(pullModels({ manifest: stale, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} })).rejects.toThrow(
      'acme/vlm: the manifest checks onnx/model_q4.onnx, which transformers.js does not load',
    );
    rmSync(dir, { recursive: true });
  });

  it('web-llm models: weights under resolve/main/, shards named by tensor-cache.json, library under mlc-ai/libs/', async () => {
    const dir = tempModels();
    await pullModels({ manifest, requests: ['text'], modelsDir: dir, hubUrl: base, libsUrl: `${base}/libs`, log: () => {} });
    expect(readFileSync(join(dir, 'mlc-ai/Text-q4f16_1-MLC/resolve/main/params_shard_0.bin')).equals(shard)).toBe(true);
    expect(readFileSync(join(dir, 'mlc-ai/libs/text.wasm'), 'utf8')).toBe('wasm');
    rmSync(dir, { recursive: true });
  });

  it('an existing but wrong-size file is fetched again', async () => {
    const dir = tempModels();
    const dest = join(dir, DATA);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, 'stale');
    await pullModels({ manifest, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} });
    expect(readFileSync(dest).equals(weights)).toBe(true);
    rmSync(dir, { recursive: true });
  });
});
