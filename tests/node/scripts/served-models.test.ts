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
      dtypes: { q4: 'q4', fp32: 'fp32' },
      checks: { 'onnx/embed_tokens_q4.onnx': { size: 4 } },
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

/** A Qwen2.5-VL export in q4 as models:pull leaves it, its decoder's weights in two external-data chunks. */
function q4Folder(): Record<string, string> {
  const config = { model_type: 'qwen2_5_vl', text_config: { model_type: 'qwen2_5_vl_text' }, 'transformers.js_config': { use_external_data_format: { decoder_model_merged: 2 } } };
  return {
    'acme/vlm/config.json': JSON.stringify(config),
    'acme/vlm/generation_config.json': '{}',
    'acme/vlm/tokenizer.json': '{}',
    'acme/vlm/tokenizer_config.json': '{}',
    'acme/vlm/preprocessor_config.json': '{}',
    'acme/vlm/onnx/embed_tokens_q4.onnx': 'abcd',
    'acme/vlm/onnx/vision_encoder_q4.onnx': 'v',
    'acme/vlm/onnx/decoder_model_merged_q4.onnx': 'd',
    'acme/vlm/onnx/decoder_model_merged_q4.onnx_data': 'x',
    'acme/vlm/onnx/decoder_model_merged_q4.onnx_data_1': 'y',
  };
}

const tensorCache = (shards: Record<string, number>) =>
  JSON.stringify({ records: Object.entries(shards).map(([dataPath, nbytes]) => ({ dataPath, nbytes })) });

describe('finding the pulled models a build serves', () => {
  it('writes the list where the app reads it', () => {
    expect(SERVED_MODELS_PATH).toBe(APP_READS);
  });

  it('lists a dtype only when every file transformers.js loads for it is in place, at the size checked', async () => {
    const complete = await findServedModels(manifest, put(q4Folder()));
    expect(complete.served).toEqual({ models: { vlm: ['q4'] } });
    expect(complete.files.sort()).toEqual(Object.keys(q4Folder()).sort());
    rmSync(dir, { recursive: true });

    const without = async (path: string) => {
      const { [`acme/vlm/${path}`]: _missing, ...rest } = q4Folder();
      const found = await findServedModels(manifest, put(rest));
      rmSync(dir, { recursive: true });
      return found.served;
    };
    // A graph, the config, and a tokenizer whose config is there.
    for (const path of ['onnx/vision_encoder_q4.onnx', 'config.json', 'tokenizer.json']) expect(await without(path), path).toEqual({ models: {} });
    expect((await findServedModels(manifest, put({ ...q4Folder(), 'acme/vlm/onnx/embed_tokens_q4.onnx': 'ab' }))).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    const resuming = { ...q4Folder(), 'acme/vlm/onnx/decoder_model_merged_q4.onnx.part': 'ab' };
    expect((await findServedModels(manifest, put(resuming))).served).toEqual({ models: {} });
  });

  it('a graph kept in external data needs every chunk its config.json names; a prompt pack is served with it', async () => {
    const withPack = { ...q4Folder(), 'acme/vlm/sage_prompts.json': '{}' };
    const found = await findServedModels(manifest, put(withPack));
    expect(found.served).toEqual({ models: { vlm: ['q4'] } });
    expect(found.files).toEqual(expect.arrayContaining(['acme/vlm/onnx/decoder_model_merged_q4.onnx_data', 'acme/vlm/onnx/decoder_model_merged_q4.onnx_data_1', 'acme/vlm/sage_prompts.json']));
    rmSync(dir, { recursive: true });
    const { ['acme/vlm/onnx/decoder_model_merged_q4.onnx_data_1']: _missing, ...cut } = q4Folder();
    expect((await findServedModels(manifest, put(cut))).served).toEqual({ models: {} });
  });

  it('web-llm builds need their shards (named by tensor-cache.json) and their own library', async () => {
    const f16 = 'mlc-ai/Text-q4f16_1-MLC/resolve/main';
    const found = await findServedModels(
      manifest,
      put({ [`${f16}/tensor-cache.json`]: tensorCache({ 'shard_0.bin': 3 }), [`${f16}/shard_0.bin`]: 'xyz', 'mlc-ai/libs/text-f16.wasm': 'w' }),
    );
    expect(found.served).toEqual({ models: { text: ['q4f16_1'] } });
    expect(found.files.sort()).toEqual([`${f16}/shard_0.bin`, `${f16}/tensor-cache.json`, 'mlc-ai/libs/text-f16.wasm']);
    rmSync(dir, { recursive: true });

    const missingShard = { [`${f16}/tensor-cache.json`]: tensorCache({ 'shard_0.bin': 3, 'shard_1.bin': 3 }), [`${f16}/shard_0.bin`]: 'xyz', 'mlc-ai/libs/text-f16.wasm': 'w' };
    expect((await findServedModels(manifest, put(missingShard))).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    const noLibrary = { [`${f16}/tensor-cache.json`]: tensorCache({ 'shard_0.bin': 3 }), [`${f16}/shard_0.bin`]: 'xyz' };
    expect((await findServedModels(manifest, put(noLibrary))).served).toEqual({ models: {} });
    rmSync(dir, { recursive: true });
    const broken = { [`${f16}/tensor-cache.json`]: '{ not json', 'mlc-ai/libs/text-f16.wasm': 'w' };
    expect((await findServedModels(manifest, put(broken))).served).toEqual({ models: {} });
  });
});
