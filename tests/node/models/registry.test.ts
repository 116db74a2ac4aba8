import { existsSync, readFileSync } from 'node:fs';
import { AutoModelForImageTextToText } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { graphFiles } from '../../../scripts/transformers-files';
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
import { isGraphFile, type Manifest, type TransformersModel } from '../../../scripts/models-pull';
import { QWEN_VISION_FAMILIES } from '../../../src/models/qwen-vl/transformers-vision';

const manifest = JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8')) as Manifest;
/** What ModelRegistry.get_tokenizer_files and get_processor_files name when a repository has them. */
const COMPANIONS = ['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json'];
const MiB = 2 ** 20;

/**
 * The files transformers.js loads for `dtype` of a model, asked of its ModelRegistry with a config
 * of the entry's family whose external data is what the manifest lists (the real config.json is
 * on the Hub, out of reach here), plus the tokenizer and processor files.
 */
async function loadedFiles(family: string, pulled: TransformersModel, dtype: string): Promise<string[]> {
  const checked = Object.keys(pulled.checks ?? {});
  const externalData = Object.fromEntries(
    checked
      .filter((path) => path.endsWith('.onnx'))
      .map((path) => [path.slice('onnx/'.length), checked.filter((other) => other.startsWith(`${path}_data`)).length]),
  );
  const config = { model_type: family, text_config: { model_type: 'llama' }, 'transformers.js_config': { use_external_data_format: externalData } };
  return [...(await graphFiles(pulled.repo, config, pulled.dtypes[dtype]!)), ...COMPANIONS];
}

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

  it('offers only VLM families transformers.js 4.3 loads as image-text-to-text; the Qwen ones get the worker\'s own video input', () => {
    const supported = (AutoModelForImageTextToText as unknown as { MODEL_CLASS_MAPPINGS: ReadonlyMap<string, string>[] }).MODEL_CLASS_MAPPINGS;
    const vlms = modelsForRole('orchestrator-vlm');
    for (const entry of vlms) expect(supported.some((mapping) => mapping.has(entry.family)), entry.family).toBe(true);
    expect(supported.some((mapping) => mapping.has('not_a_family'))).toBe(false);
    // Qwen families without the worker's input path would send a 128-frame skim as 128 images at once.
    for (const entry of vlms.filter((m) => m.family.startsWith('qwen'))) {
      expect(QWEN_VISION_FAMILIES.has(entry.family), entry.id).toBe(true);
    }
  });

  it('has a VLM of well under 1 GB at q4f16 for GPUs with little memory, and a WASM VLM with a slowness estimate', () => {
    const small = modelsForRole('orchestrator-vlm').filter((m) => m.status === 'ready' && (m.devices.webgpu?.downloadMB ?? Infinity) < 800);
    expect(small.map((m) => m.id)).toContain('qwen3.5-0.8b');
    expect(getModel('qwen3.5-0.8b').devices.webgpu?.downloadIsEstimate).toBeUndefined();
    const wasm = modelsForRole('orchestrator-vlm').filter((m) => m.status === 'ready' && m.devices.wasm);
    expect(wasm.length).toBeGreaterThan(0);
    for (const entry of wasm) {
      const [fast, slow] = entry.devices.wasm!.wasmSecondsPerAnswer ?? [NaN, NaN];
      expect(fast, entry.id).toBeGreaterThan(0);
      expect(slow, entry.id).toBeGreaterThanOrEqual(fast);
    }
  });

  it('gives as download size the bytes of the files transformers.js loads, wherever the size is not marked an estimate', async () => {
    let summed = 0;
    for (const entry of MODELS) {
      if (entry.source.kind !== 'hub' || entry.status === 'needs-export') continue;
      for (const [device, profile] of Object.entries(entry.devices)) {
        if (profile.downloadIsEstimate || (device === 'wasm' && entry.bundledPath)) continue;
        const pulled = manifest.models[entry.id];
        if (!pulled || pulled.layout === 'mlc') throw new Error(`${entry.id}: no transformers.js manifest entry`);
        const variants: [string, number][] = [[dtypeKey(profile.dtype), profile.downloadMB]];
        if (device === 'webgpu' && profile.dtypeWithoutF16 !== undefined) {
          variants.push([dtypeKey(profile.dtypeWithoutF16), profile.downloadWithoutF16MB ?? profile.downloadMB]);
        }
        for (const [dtype, downloadMB] of variants) {
          const files = await loadedFiles(entry.family, pulled, dtype);
          const missing = files.filter((path) => pulled.checks?.[path]?.size === undefined);
          expect(missing, `${entry.id} ${dtype}`).toEqual([]);
          // Graphs recorded for this dtype that transformers.js would not load mean a wrong file list.
          const suffix = dtype === 'q4' ? '_q4.onnx' : `_${dtype}.onnx`;
          const extra = Object.keys(pulled.checks ?? {}).filter((path) => isGraphFile(path) && path.replace(/_data(_\d+)?$/, '').endsWith(suffix) && !files.includes(path));
          expect(extra, `${entry.id} ${dtype}`).toEqual([]);
          const bytes = files.reduce((sum, path) => sum + pulled.checks![path]!.size!, 0);
          expect(Math.abs(bytes / MiB - downloadMB), `${entry.id} ${dtype}: ${bytes} bytes`).toBeLessThan(0.1);
          summed += 1;
        }
      }
    }
    expect(summed).toBeGreaterThanOrEqual(5);
  });

  it('agrees with models/manifest.json on every model that can be pulled or served', () => {
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
