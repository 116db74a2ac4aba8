import { describe, expect, it } from 'vitest';
import { detectCapabilities, summarizeCapabilities } from '../../src/models/capabilities';
import { chooseModels } from '../../src/models/chooser';
import { APP_SHELL_CACHE, TRANSFORMERS_CACHE, deleteCachedModel, ensureRoomFor, listCachedModels, storageStatus } from '../../src/models/model-cache';
import { WhisperClient } from '../../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../../src/models/engines/whisper-models';

describe('capabilities in Chromium', () => {
  it('finds the SwiftShader WebGPU adapter (no shader-f16) and summarises it in one line', async () => {
    const caps = await detectCapabilities();
    expect(caps.webgpu.available).toBe(true);
    if (!caps.webgpu.available) return;
    expect(caps.webgpu.shaderF16).toBe(false);
    expect(caps.webgpu.maxBufferSize).toBeGreaterThan(0);
    expect(caps.hardwareConcurrency).toBeGreaterThan(0);
    expect(summarizeCapabilities(caps)).toMatch(/^WebGPU \(no f16.*\) · .* max buffer · .*threads (on|off)$/);
    const choice = chooseModels(caps);
    expect(JSON.stringify(choice.orchestrator.cost.dtype)).not.toMatch(/f16/);
  });
});

describe('model cache', () => {
  it('lists cached files by model with sizes and deletes one model', async () => {
    await caches.delete(TRANSFORMERS_CACHE);
    const cache = await caches.open(TRANSFORMERS_CACHE);
    const body = (n: number) => new Response(new Uint8Array(n), { headers: { 'content-length': String(n) } });
    await cache.put('https://huggingface.co/onnx-community/whisper-base/resolve/main/onnx/encoder_model.onnx', body(1000));
    await cache.put('https://huggingface.co/onnx-community/whisper-base/resolve/main/config.json', body(10));
    await cache.put('https://huggingface.co/someone/other/resolve/main/model.onnx', body(50));
    // The copy that ships with the app, and ONNX Runtime's own files, are named for what they are.
    await cache.put(`${location.origin}/sage/models/Xenova/whisper-tiny/onnx/encoder_model_quantized.onnx`, body(7));
    await cache.put(`${location.origin}/sage/assets/ort-wasm-simd-threaded.asyncify-abc123.wasm`, body(3));
    const bundled = await listCachedModels();
    expect(bundled.find((m) => m.id === 'whisper-tiny')).toMatchObject({ label: 'Whisper tiny', bytes: 7, files: 1 });
    expect(bundled.find((m) => m.id === 'onnx-runtime')).toMatchObject({ bytes: 3, files: 1 });
    await deleteCachedModel('whisper-tiny');
    await deleteCachedModel('onnx-runtime');
    const listed = await listCachedModels();
    expect(listed).toEqual([
      { id: 'whisper-base', label: 'Whisper base', bytes: 1010, files: 2 },
      { id: 'someone/other', label: 'someone/other', bytes: 50, files: 1 },
    ]);
    expect(await deleteCachedModel('whisper-base')).toBe(2);
    expect((await listCachedModels()).map((m) => m.id)).toEqual(['someone/other']);
    await caches.delete(TRANSFORMERS_CACHE);
  });

  it('counts the model files the service worker keeps from this site, and not the page itself', async () => {
    await caches.delete(APP_SHELL_CACHE);
    const shell = await caches.open(APP_SHELL_CACHE);
    const body = (n: number) => new Response(new Uint8Array(n), { headers: { 'content-length': String(n) } });
    await shell.put(`${location.origin}/sage/index.html`, body(100));
    await shell.put(`${location.origin}/sage/models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX/onnx/decoder_model_merged_q4.onnx`, body(40));
    await shell.put(`${location.origin}/sage/models/Xenova/whisper-base/config.json`, body(2));
    expect(await listCachedModels()).toEqual([
      { id: 'qwen2.5-vl-3b-instruct', label: 'Qwen2.5-VL 3B Instruct', bytes: 40, files: 1 },
      { id: 'whisper-base', label: 'Whisper base', bytes: 2, files: 1 },
    ]);
    expect(await deleteCachedModel('qwen2.5-vl-3b-instruct')).toBe(1);
    expect((await shell.keys()).map((request) => new URL(request.url).pathname)).toEqual(['/sage/index.html', '/sage/models/Xenova/whisper-base/config.json']);
    await caches.delete(APP_SHELL_CACHE);
  });

  it('lists only models: not the list of served models, and a file kept by two caches once', async () => {
    await caches.delete(APP_SHELL_CACHE);
    await caches.delete(TRANSFORMERS_CACHE);
    const body = (n: number) => new Response(new Uint8Array(n), { headers: { 'content-length': String(n) } });
    const shell = await caches.open(APP_SHELL_CACHE);
    await shell.put(`${location.origin}/sage/models/served.json`, body(13));
    const encoder = `${location.origin}/sage/models/Xenova/whisper-base/onnx/encoder_model_quantized.onnx`;
    // The service worker keeps the file it served; transformers.js keeps what it loaded, same URL.
    await shell.put(encoder, body(30));
    await (await caches.open(TRANSFORMERS_CACHE)).put(encoder, body(30));
    expect(await listCachedModels()).toEqual([{ id: 'whisper-base', label: 'Whisper base', bytes: 30, files: 1 }]);
    expect(await deleteCachedModel('whisper-base')).toBe(2);
    expect(await listCachedModels()).toEqual([]);
    expect((await shell.keys()).map((request) => new URL(request.url).pathname)).toEqual(['/sage/models/served.json']);
    await caches.delete(APP_SHELL_CACHE);
    await caches.delete(TRANSFORMERS_CACHE);
  });

  it('lists the speech model served with the app as stored once it has been used, at its size', async () => {
    await caches.delete(TRANSFORMERS_CACHE);
    expect((await listCachedModels()).find((m) => m.id === 'whisper-tiny')).toBeUndefined();
    const location = bundledWhisperModel('whisper-tiny');
    const client = new WhisperClient();
    try {
      await client.load({ ...location, label: 'Whisper tiny', device: 'wasm', dtype: 'q8' });
    } finally {
      await client.dispose();
    }
    const folder = `${location.modelBaseUrl}${location.model}/`;
    const sizes = await Promise.all(
      ['onnx/encoder_model_quantized.onnx', 'onnx/decoder_model_merged_quantized.onnx'].map(
        async (file) => (await (await fetch(folder + file)).arrayBuffer()).byteLength,
      ),
    );
    const stored = (await listCachedModels()).find((m) => m.id === 'whisper-tiny');
    expect(stored).toMatchObject({ label: 'Whisper tiny' });
    expect(stored!.files).toBeGreaterThanOrEqual(2);
    // Both ONNX files, plus the small configuration and tokenizer files, once each.
    const onnxBytes = sizes[0]! + sizes[1]!;
    expect(stored!.bytes).toBeGreaterThanOrEqual(onnxBytes);
    expect(stored!.bytes).toBeLessThan(onnxBytes + 5 * 2 ** 20);
    expect(await deleteCachedModel('whisper-tiny')).toBe(stored!.files);
  });

  it('reports storage and refuses a download larger than the quota with a quota-exceeded AppError', async () => {
    const status = await storageStatus();
    expect(status.quotaBytes).toBeGreaterThan(0);
    await expect(ensureRoomFor(status.quotaBytes * 2, 'A huge model')).rejects.toMatchObject({ code: 'quota-exceeded' });
    await expect(ensureRoomFor(1, 'A tiny model')).resolves.toBeUndefined();
  });
});
