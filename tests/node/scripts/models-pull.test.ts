import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPull, pullModels, type Manifest } from '../../../scripts/models-pull';

const weights = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
const config = Buffer.from('{"model_type":"fake"}');
const shard = Buffer.alloc(50_000, 3);
const tensorCache = Buffer.from(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: shard.length }] }));
const files: Record<string, Buffer> = {
  '/acme/vlm/resolve/main/config.json': config,
  '/acme/vlm/resolve/main/onnx/model_q4.onnx': weights,
  '/mlc-ai/Text-q4f16_1-MLC/resolve/main/tensor-cache.json': tensorCache,
  '/mlc-ai/Text-q4f16_1-MLC/resolve/main/params_shard_0.bin': shard,
  '/libs/text.wasm': Buffer.from('wasm'),
};
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const manifest: Manifest = {
  models: {
    vlm: {
      repo: 'acme/vlm',
      files: [{ path: 'config.json' }],
      dtypes: { q4: [{ path: 'onnx/model_q4.onnx', size: weights.length, sha256: sha(weights) }], fp32: [{ path: 'onnx/model.onnx' }] },
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

describe('models:pull', () => {
  it('plans exactly the files of the requested dtype, each once', () => {
    const plan = planPull({ manifest, requests: ['vlm', 'vlm@q4'], modelsDir: '/m', hubUrl: 'https://hub/', libsUrl: 'https://libs' });
    expect(plan.map((file) => file.url)).toEqual(['https://hub/acme/vlm/resolve/main/config.json', 'https://hub/acme/vlm/resolve/main/onnx/model_q4.onnx']);
    expect(plan.map((file) => file.dest)).toEqual(['/m/acme/vlm/config.json', '/m/acme/vlm/onnx/model_q4.onnx']);
    expect(() => planPull({ manifest, requests: ['nope'], modelsDir: '/m', hubUrl: '', libsUrl: '' })).toThrow(/Unknown model "nope"/);
    expect(() => planPull({ manifest, requests: ['vlm@q8'], modelsDir: '/m', hubUrl: '', libsUrl: '' })).toThrow(/no dtype "q8"/);
  });

  it('downloads and verifies, then skips files already present', async () => {
    const dir = tempModels();
    const lines: string[] = [];
    await pullModels({ manifest, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: `${base}/libs`, log: (l) => lines.push(l) });
    expect(readFileSync(join(dir, 'acme/vlm/onnx/model_q4.onnx')).equals(weights)).toBe(true);
    expect(existsSync(join(dir, 'acme/vlm/onnx/model.onnx'))).toBe(false);
    expect(lines.some((l) => /total .* of .*\(100%\)/.test(l))).toBe(true);
    const again: string[] = [];
    await pullModels({ manifest, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: `${base}/libs`, log: (l) => again.push(l) });
    expect(again.filter((l) => l.endsWith(': present'))).toHaveLength(2);
    rmSync(dir, { recursive: true });
  });

  it('a cut-off download fails with a message to run again', async () => {
    const dir = tempModels();
    cutOnce.add('/acme/vlm/resolve/main/onnx/model_q4.onnx');
    const options = { manifest, requests: ['vlm@q4'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} };
    await expect(pullModels(options)).rejects.toThrow(/cut off|short.*resume/);
    expect(existsSync(join(dir, 'acme/vlm/onnx/model_q4.onnx'))).toBe(false);
    rmSync(dir, { recursive: true });
  });

  // How much of a cut-off body reaches disk before the error depends on timing, so the resume is
  // tested from a known partial file, as a cut-off run leaves it.
  it('a partial file left by an earlier run resumes with a Range request', async () => {
    const dir = tempModels();
    const path = '/acme/vlm/resolve/main/onnx/model_q4.onnx';
    const part = join(dir, 'acme/vlm/onnx/model_q4.onnx.part');
    mkdirSync(dirname(part), { recursive: true });
    writeFileSync(part, weights.subarray(0, 120_000));
    const lines: string[] = [];
    await pullModels({ manifest, requests: ['vlm@q4'], modelsDir: dir, hubUrl: base, libsUrl: base, log: (l) => lines.push(l) });
    expect(rangesSeen).toContain(`${path} bytes=120000-`);
    expect(lines.some((l) => /resuming at/.test(l))).toBe(true);
    expect(readFileSync(join(dir, 'acme/vlm/onnx/model_q4.onnx')).equals(weights)).toBe(true);
    expect(existsSync(part)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('rejects a file whose hash does not match and does not keep it', async () => {
    const dir = tempModels();
    const corrupt: Manifest = {
      models: { vlm: { ...manifest.models.vlm!, dtypes: { q4: [{ path: 'onnx/model_q4.onnx', sha256: 'ab'.repeat(32) }] } } },
    };
    await expect(pullModels({ manifest: corrupt, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} })).rejects.toThrow(/sha256/);
    expect(existsSync(join(dir, 'acme/vlm/onnx/model_q4.onnx'))).toBe(false);
    expect(existsSync(join(dir, 'acme/vlm/onnx/model_q4.onnx.part'))).toBe(false);
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
    const dest = join(dir, 'acme/vlm/onnx/model_q4.onnx');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, 'stale');
    await pullModels({ manifest, requests: ['vlm'], modelsDir: dir, hubUrl: base, libsUrl: base, log: () => {} });
    expect(readFileSync(dest).equals(weights)).toBe(true);
    rmSync(dir, { recursive: true });
  });
});
