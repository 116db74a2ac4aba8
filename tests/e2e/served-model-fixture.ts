/**
 * "Pulled" models for the end-to-end build: `npm run models:pull`'s code fetches them from a
 * stand-in Hub on 127.0.0.1, and the build serves them as a deployment with pulled models would.
 * - The default VLM's q4 files are the tiny random-weight Qwen2.5-VL's q4 files (same family,
 *   same file layout; only the weights differ), under models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX/.
 * - The web-llm reasoner's q4f32_1 build is placeholders (no MLC build can be made here): web-llm
 *   fetches them from the site and then fails to compile the library, which the app survives.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pullModels } from '../../scripts/models-pull';
import { readManifest } from '../../scripts/served-models';
import { DEFAULT_VLM_ID, TINY_TEST_VLM_ID, getModel } from '../../src/models/registry';

export const SERVED_VLM_ID = DEFAULT_VLM_ID;
export const SERVED_REASONER_ID = 'qwen2.5-3b-instruct-mlc';
export const SERVED_REASONER_DTYPE = 'q4f32_1';

/** Placeholder files of a web-llm build: valid JSON where web-llm parses it, bytes elsewhere. */
function placeholderMlcFile(path: string): Buffer | undefined {
  if (path === 'tensor-cache.json') return Buffer.from(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: 4 }] }));
  if (path.endsWith('.json')) return Buffer.from('{}');
  if (path.endsWith('.bin') || path.endsWith('.wasm')) return Buffer.from('fake');
  return undefined;
}

export async function pullServedFixtures(root: string, modelsDir: string): Promise<void> {
  const tiny = getModel(TINY_TEST_VLM_ID).source;
  const served = getModel(SERVED_VLM_ID).source;
  if (tiny.kind !== 'local' || served.kind !== 'hub') throw new Error('registry changed: expected a local tiny model and a Hub default');
  const prefix = `/${served.repo}/resolve/main/`;
  const mlcPrefix = /^\/(mlc-ai\/[^/]+\/resolve\/main|libs)\//;
  const hub = createServer((request, response) => {
    const path = decodeURIComponent(request.url ?? '');
    // The tiny model's own q4 graphs (4-bit weights and token embedding), so WebGPU runs them.
    const file = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    try {
      const body = mlcPrefix.test(path) ? placeholderMlcFile(path.replace(mlcPrefix, '')) : file && !file.includes('..') ? readFileSync(join(root, tiny.path, file)) : undefined;
      if (!body) throw new Error('not in the stand-in Hub');
      response.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
  try {
    await pullModels({
      manifest: readManifest(root),
      requests: [`${SERVED_VLM_ID}@q4`, `${SERVED_REASONER_ID}@${SERVED_REASONER_DTYPE}`],
      modelsDir,
      hubUrl: `http://127.0.0.1:${(hub.address() as AddressInfo).port}`,
      libsUrl: `http://127.0.0.1:${(hub.address() as AddressInfo).port}/libs`,
      log: () => {},
    });
  } finally {
    await new Promise<void>((done) => hub.close(() => done()));
  }
}
