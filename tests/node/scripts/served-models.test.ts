import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../scripts/models-pull';
import { SERVED_MODELS_PATH, findServedModels } from '../../../scripts/served-models';
import { SERVED_MODELS_PATH as APP_READS } from '../../../src/models/served-models';

const manifest: Manifest = {
  models: {
    vlm: {
      repo: 'acme/vlm',
      files: [{ path: 'config.json' }],
      dtypes: { q4: [{ path: 'onnx/model_q4.onnx', size: 4 }], fp32: [{ path: 'onnx/model.onnx' }] },
      defaultDtypes: ['q4'],
    },
    text: {
      repo: 'mlc-ai/Text-q4f16_1-MLC',
      dtypeRepos: { q4f16_1: 'mlc-ai/Text-q4f16_1-MLC', q4f32_1: 'mlc-ai/Text-q4f32_1-MLC' },
      layout: 'mlc',
      files: [{ path: 'tensor-cache.json' }],
      dtypes: { q4f16_1: [], q4f32_1: [] },
      libs: { q4f16_1: [{ path: 'text-f16.wasm' }], q4f32_1: [{ path: 'text-f32.wasm' }] },
      defaultDtypes: ['q4f16_1'],
    },
  },
};

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true });
  dir = '';
});

function put(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'served-'));
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

const tensorCache = (shards: Record<string, number>) =>
  JSON.stringify({ records: Object.entries(shards).map(([dataPath, nbytes]) => ({ dataPath, nbytes })) });

describe('finding the pulled models a build serves', () => {
  it('writes the list where the app reads it', () => {
    expect(SERVED_MODELS_PATH).toBe(APP_READS);
  });

  it('lists a dtype only when every file it needs is in place, at the listed size', () => {
    const complete = findServedModels(manifest, put({ 'acme/vlm/config.json': '{}', 'acme/vlm/onnx/model_q4.onnx': 'abcd' }));
    expect(complete.served).toEqual({ models: { vlm: ['q4'] } });
    expect(complete.files.sort()).toEqual(['acme/vlm/config.json', 'acme/vlm/onnx/model_q4.onnx']);
    rmSync(dir, { recursive: true });

    expect(findServedModels(manifest, put({ 'acme/vlm/onnx/model_q4.onnx': 'abcd' })).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    expect(findServedModels(manifest, put({ 'acme/vlm/config.json': '{}', 'acme/vlm/onnx/model_q4.onnx': 'ab' })).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    const resuming = { 'acme/vlm/config.json': '{}', 'acme/vlm/onnx/model_q4.onnx': 'abcd', 'acme/vlm/onnx/model_q4.onnx.part': 'ab' };
    expect(findServedModels(manifest, put(resuming)).served).toEqual({ models: {} });
  });

  it('an export over 2 GB needs the external-data chunks its config lists; its prompt pack is served with it', () => {
    const config = JSON.stringify({ 'transformers.js_config': { use_external_data_format: { 'model_q4.onnx': 2 } } });
    const complete = {
      'acme/vlm/config.json': config,
      'acme/vlm/onnx/model_q4.onnx': 'abcd',
      'acme/vlm/onnx/model_q4.onnx_data': 'x',
      'acme/vlm/onnx/model_q4.onnx_data_1': 'y',
      'acme/vlm/sage_prompts.json': '{}',
    };
    const found = findServedModels(manifest, put(complete));
    expect(found.served).toEqual({ models: { vlm: ['q4'] } });
    expect(found.files.sort()).toEqual([
      'acme/vlm/config.json',
      'acme/vlm/onnx/model_q4.onnx',
      'acme/vlm/onnx/model_q4.onnx_data',
      'acme/vlm/onnx/model_q4.onnx_data_1',
      'acme/vlm/sage_prompts.json',
    ]);
    rmSync(dir, { recursive: true });
    const { ['acme/vlm/onnx/model_q4.onnx_data_1']: _missing, ...cut } = complete;
    expect(findServedModels(manifest, put(cut)).served).toEqual({ models: {} });
  });

  it('web-llm builds need their shards (named by tensor-cache.json) and their own library', () => {
    const f16 = 'mlc-ai/Text-q4f16_1-MLC/resolve/main';
    const found = findServedModels(
      manifest,
      put({ [`${f16}/tensor-cache.json`]: tensorCache({ 'shard_0.bin': 3 }), [`${f16}/shard_0.bin`]: 'xyz', 'mlc-ai/libs/text-f16.wasm': 'w' }),
    );
    expect(found.served).toEqual({ models: { text: ['q4f16_1'] } });
    expect(found.files.sort()).toEqual([`${f16}/shard_0.bin`, `${f16}/tensor-cache.json`, 'mlc-ai/libs/text-f16.wasm']);
    rmSync(dir, { recursive: true });

    const missingShard = { [`${f16}/tensor-cache.json`]: tensorCache({ 'shard_0.bin': 3, 'shard_1.bin': 3 }), [`${f16}/shard_0.bin`]: 'xyz', 'mlc-ai/libs/text-f16.wasm': 'w' };
    expect(findServedModels(manifest, put(missingShard)).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    const noLibrary = { [`${f16}/tensor-cache.json`]: tensorCache({ 'shard_0.bin': 3 }), [`${f16}/shard_0.bin`]: 'xyz' };
    expect(findServedModels(manifest, put(noLibrary)).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    const broken = { [`${f16}/tensor-cache.json`]: '{ not json', 'mlc-ai/libs/text-f16.wasm': 'w' };
    expect(findServedModels(manifest, put(broken)).served).toEqual({ models: {} });
  });
});
