/**
 * A "pulled" model for the end-to-end build: `npm run models:pull`'s code fetches the default VLM's
 * q4 files from a stand-in Hub on 127.0.0.1 that answers with the tiny random-weight Qwen2.5-VL
 * (same family, same file layout; only the weights differ). The build then serves it as a
 * deployment with pulled models would, under models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX/.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pullModels } from '../../scripts/models-pull';
import { readManifest } from '../../scripts/served-models';
import { DEFAULT_VLM_ID, TINY_TEST_VLM_ID, getModel } from '../../src/models/registry';

export const SERVED_VLM_ID = DEFAULT_VLM_ID;

export async function pullTinyAsDefaultVlm(root: string, modelsDir: string): Promise<void> {
  const tiny = getModel(TINY_TEST_VLM_ID).source;
  const served = getModel(SERVED_VLM_ID).source;
  if (tiny.kind !== 'local' || served.kind !== 'hub') throw new Error('registry changed: expected a local tiny model and a Hub default');
  const prefix = `/${served.repo}/resolve/main/`;
  const hub = createServer((request, response) => {
    const path = decodeURIComponent(request.url ?? '');
    // The tiny model has one (fp32) file per graph; it stands in for every dtype.
    const file = path.startsWith(prefix) ? path.slice(prefix.length).replace(/_q4\.onnx$/, '.onnx') : undefined;
    try {
      if (file === undefined || file.includes('..')) throw new Error('outside the repository');
      const body = readFileSync(join(root, tiny.path, file));
      response.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
  try {
    await pullModels({
      manifest: readManifest(root),
      requests: [`${SERVED_VLM_ID}@q4`],
      modelsDir,
      hubUrl: `http://127.0.0.1:${(hub.address() as AddressInfo).port}`,
      libsUrl: 'http://127.0.0.1:9',
      log: () => {},
    });
  } finally {
    await new Promise<void>((done) => hub.close(() => done()));
  }
}
