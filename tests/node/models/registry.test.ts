import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerSource } from '../../../src/models/engines/vlm-client';
import {
  DEFAULT_VLM_ID,
  MODELS,
  TINY_TEST_VLM_ID,
  dtypeFor,
  dtypeKey,
  findModel,
  getModel,
  modelsForRole,
} from '../../../src/models/registry';
import type { Manifest } from '../../../scripts/models-pull';

describe('model registry', () => {
  it('has unique ids and every entry runs on at least one device', () => {
    expect(new Set(MODELS.map((m) => m.id)).size).toBe(MODELS.length);
    for (const entry of MODELS) expect(Object.keys(entry.devices).length, entry.id).toBeGreaterThan(0);
  });

  it('looks entries up by id and role', () => {
    expect(findModel('nope')).toBeUndefined();
    expect(() => getModel('nope')).toThrow(/Unknown model id/);
    expect(getModel(DEFAULT_VLM_ID).role).toBe('orchestrator-vlm');
    const speech = modelsForRole('speech').map((m) => m.id);
    expect(speech).toEqual(expect.arrayContaining(['whisper-base', 'whisper-tiny']));
    expect(modelsForRole('orchestrator-vlm').every((m) => m.role === 'orchestrator-vlm')).toBe(true);
  });

  it('keeps SAGE-MM listed, marked as waiting for a browser export', () => {
    const sage = MODELS.find((m) => m.source.kind === 'hub' && m.source.repo === 'allenai/SAGE-MM-Qwen2.5-VL-7B-SFT_RL');
    expect(sage?.status).toBe('needs-export');
    expect(sage?.family).toBe('qwen2_5_vl');
  });

  it('defaults to a Hub VLM that loads today, in the same family as SAGE-MM and the tiny test model', () => {
    const fallback = getModel(DEFAULT_VLM_ID);
    expect(fallback.status).toBe('ready');
    expect(fallback.source.kind).toBe('hub');
    expect(fallback.family).toBe(getModel('sage-mm-qwen2.5-vl-7b').family);
    expect(getModel(TINY_TEST_VLM_ID).family).toBe(fallback.family);
  });

  it('points the tiny test model at the generated folder, whose config has the registry family', () => {
    const tiny = getModel(TINY_TEST_VLM_ID);
    expect(tiny.source.kind).toBe('local');
    if (tiny.source.kind !== 'local') return;
    const folder = new URL(`../../../${tiny.source.path}/`, import.meta.url);
    const config = JSON.parse(readFileSync(new URL('config.json', folder), 'utf8')) as { model_type: string };
    expect(config.model_type).toBe(tiny.family);
    for (const file of ['vision_encoder', 'embed_tokens', 'decoder_model_merged']) {
      expect(existsSync(new URL(`onnx/${file}.onnx`, folder)), file).toBe(true);
    }
  });

  it('picks the dtype for the device, without fp16 files on GPUs that lack shader-f16', () => {
    const fallback = getModel(DEFAULT_VLM_ID);
    expect(dtypeFor(fallback, 'webgpu')).toBe('q4f16');
    expect(dtypeFor(fallback, 'webgpu', false)).toBe('q4');
    expect(dtypeFor(fallback, 'wasm')).toBeUndefined();
    expect(dtypeFor(getModel('whisper-base'), 'webgpu')).toEqual({ encoder_model: 'fp32', decoder_model_merged: 'q4' });
    expect(dtypeFor(getModel('whisper-base'), 'wasm', false)).toBe('q8');
  });

  it('turns an entry into the source the VLM worker loads from: the Hub, or this site when it serves that dtype', () => {
    const site = 'https://example.org/app/';
    expect(workerSource(getModel(DEFAULT_VLM_ID), 'q4', site)).toEqual({
      kind: 'hub',
      repo: 'onnx-community/Qwen2.5-VL-3B-Instruct-ONNX',
    });
    expect(workerSource(getModel(TINY_TEST_VLM_ID), 'fp32', site)).toEqual({
      kind: 'url',
      url: 'https://example.org/app/models/tiny/tiny-random-qwen2_5_vl/',
    });
    const served = { models: { [DEFAULT_VLM_ID]: ['q4'] } };
    expect(workerSource(getModel(DEFAULT_VLM_ID), 'q4', site, served)).toEqual({
      kind: 'url',
      url: 'https://example.org/app/models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX/',
    });
    // Another dtype than the one served still comes from the Hub.
    expect(workerSource(getModel(DEFAULT_VLM_ID), 'q4f16', site, served)).toMatchObject({ kind: 'hub' });
  });

  it('names dtypes as the manifest does, per-file specs joined in file order', () => {
    expect(dtypeKey('q4f16')).toBe('q4f16');
    expect(dtypeKey({ encoder_model: 'fp32', decoder_model_merged: 'q4' })).toBe('fp32+q4');
  });

  it('agrees with models/manifest.json on every model that can be pulled or served', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8')) as Manifest;
    for (const [id, pulled] of Object.entries(manifest.models)) {
      const entry = getModel(id);
      const dtypes = Object.values(entry.devices).flatMap((profile) => [profile.dtype, profile.dtypeWithoutF16 ?? profile.dtype]);
      if (entry.source.kind === 'hub') {
        // The app finds a served model at models/<registry repo>/, where models:pull saves it.
        expect(pulled.repo, id).toBe(entry.source.repo);
        expect(pulled.layout, id).not.toBe('mlc');
        // Whisper's WASM dtype ships with the app instead.
        const needed = entry.bundledPath ? [entry.devices.webgpu!.dtype] : dtypes;
        // What models:pull asks transformers.js about is what the app loads.
        for (const dtype of needed) expect(pulled.dtypes[dtypeKey(dtype)], `${id} ${dtypeKey(dtype)}`).toEqual(dtype);
      } else if (entry.source.kind === 'mlc') {
        if (pulled.layout !== 'mlc') throw new Error(`${id}: a web-llm build needs layout "mlc"`);
        for (const [dtype, build] of Object.entries(entry.source.builds)) {
          expect(pulled.dtypeRepos?.[dtype], id).toBe(`mlc-ai/${build.modelId}`);
          expect(pulled.libs?.[dtype]?.map((lib) => lib.path), id).toEqual([build.modelLib]);
        }
      } else {
        throw new Error(`${id}: local entries are not pulled`);
      }
    }
    const servable = MODELS.filter((entry) => entry.source.kind !== 'local' && entry.role !== 'speech').map((entry) => entry.id);
    expect(Object.keys(manifest.models)).toEqual(expect.arrayContaining(servable));
  });
});
