import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { failOnServerErrors, generateFailure, loadFailure } from '../../../src/models/engines/engine-errors';

const model = { label: 'Qwen2.5-VL 3B Instruct', where: 'url:https://site/models/q/ on wasm ("q4")' };

/** An error as comlink or web-llm's worker hands it on: only its name and message survive. */
function passedOn(error: Error): Error {
  return Object.assign(new Error(error.message), { name: error.name });
}

describe('loadFailure', () => {
  it('a cut-off download, however the browser words it, is download-failed and keeps where it was loading in detail', () => {
    for (const thrown of [
      new TypeError('Failed to fetch'),
      new TypeError('network error'),
      new TypeError('Load failed'),
      new TypeError('terminated'),
      new TypeError('Error in body stream'),
    ]) {
      const error = loadFailure(thrown, model);
      expect(error, thrown.message).toMatchObject({
        code: 'download-failed',
        message: 'The download of Qwen2.5-VL 3B Instruct was interrupted. Check the connection and try again; files already downloaded are kept.',
        detail: `url:https://site/models/q/ on wasm ("q4"): TypeError: ${thrown.message}`,
      });
      expect(error.cause).toBe(thrown);
      expect(loadFailure(passedOn(thrown), model).code).toBe('download-failed');
    }
  });

  it('offline is not an interrupted download: the browser says it is offline, or no byte ever arrived', () => {
    const thrown = new TypeError('Failed to fetch');
    const offline = loadFailure(thrown, { label: 'Qwen3.5 0.8B', from: 'hub', online: false });
    expect(offline).toMatchObject({
      code: 'offline',
      message: 'Qwen3.5 0.8B is not stored in this browser, and this page is offline, so it cannot reach the Hub. Connect to the internet, then try again.',
    });
    expect(offline.message).not.toMatch(/interrupted/);
    const unreachable = loadFailure(thrown, { label: 'Qwen3.5 0.8B', from: 'hub', online: true, receivedBytes: 0 });
    expect(unreachable.code).toBe('offline');
    expect(unreachable.message).toMatch(/^This page cannot reach the Hub to download Qwen3.5 0.8B/);
    // Bytes arrived, then the connection went: that download was cut.
    expect(loadFailure(thrown, { label: 'Qwen3.5 0.8B', from: 'hub', online: true, receivedBytes: 5_000_000 }).code).toBe('download-failed');
    // Offline wins over a count that says files had arrived (those were read from the cache).
    expect(loadFailure(thrown, { label: 'Qwen3.5 0.8B', from: 'site', online: false, receivedBytes: 1 })).toMatchObject({
      code: 'offline',
      message: expect.stringContaining('cannot reach the site serving this app'),
    });
  });

  it('a refusal by the server (401, 403) is download-refused, not a cut download', () => {
    for (const thrown of [
      new Error('Forbidden access to file: "https://huggingface.co/q/resolve/main/config.json".'),
      new Error('Unauthorized access to file: "https://huggingface.co/q/resolve/main/config.json".'),
      new Error('Failed to fetch https://huggingface.co/q/x.bin: HTTP 403'),
    ]) {
      expect(loadFailure(thrown, { ...model, from: 'hub' }), thrown.message).toMatchObject({
        code: 'download-refused',
        message: "The Hub refused to send Qwen2.5-VL 3B Instruct's files: the model may be gated, private or moved. Choose another model in Models and device, or ask from the speech only.",
      });
    }
  });

  it('a server error from the Hub (transformers.js) or this site (failOnServerErrors) is download-failed', () => {
    const hub = new Error('Internal server error error occurred while trying to load file: "https://huggingface.co/q/resolve/main/onnx/a.onnx".');
    const unmapped = new Error('Error (507) occurred while trying to load file: "https://huggingface.co/q/resolve/main/config.json".');
    const site = new Error('Server error (HTTP 503) for https://site/models/q/onnx/a.onnx');
    for (const thrown of [hub, unmapped, site]) {
      expect(loadFailure(thrown, model), thrown.message).toMatchObject({
        code: 'download-failed',
        message: "The server holding Qwen2.5-VL 3B Instruct's files failed to send them. Try again later; files already downloaded are kept.",
      });
    }
  });

  it('a full storage quota is quota-exceeded, as a DOMException or passed on by name', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    for (const thrown of [quota, passedOn(quota)]) {
      expect(loadFailure(thrown, model)).toMatchObject({
        code: 'quota-exceeded',
        message: expect.stringMatching(/^There is not enough storage space in this browser to keep Qwen2\.5-VL 3B Instruct\. Delete cached models/),
        detail: expect.stringContaining('QuotaExceededError: The quota has been exceeded.'),
      });
    }
  });

  it('out of memory names the smaller model when there is one', () => {
    const oom = new RangeError('Array buffer allocation failed');
    expect(loadFailure(oom, { ...model, smallerLabel: 'Qwen2-VL 2B Instruct' }).message).toBe(
      "Qwen2.5-VL 3B Instruct did not fit in this device's memory. Try the smaller Qwen2-VL 2B Instruct instead.",
    );
    expect(loadFailure(oom, model).message).toBe("Qwen2.5-VL 3B Instruct did not fit in this device's memory. Close other tabs and try again.");
  });

  it('a missing or broken file is a plain model-load-failed; an AppError passes through unchanged', () => {
    const missing = new Error('`local_files_only=true` or `env.allowRemoteModels=false` and file was not found locally at "/m/q/config.json".');
    expect(loadFailure(missing, model)).toMatchObject({ code: 'model-load-failed', message: 'Qwen2.5-VL 3B Instruct could not be loaded.' });
    expect(loadFailure(new Error("failed to load model: protobuf parsing failed"), model).code).toBe('model-load-failed');
    const classified = new AppError('invalid-argument', 'Local models must be served by this site.');
    expect(loadFailure(classified, model)).toBe(classified);
  });
});

describe('generateFailure', () => {
  it('GPU lost, out of memory, or internal, naming the model', () => {
    expect(generateFailure(new Error('DeviceLostError: GPU device was lost'), model)).toMatchObject({ code: 'gpu-lost', detail: expect.stringMatching(/^url:.*device was lost$/) });
    expect(generateFailure(new RangeError('WebAssembly.Memory(): could not allocate memory: out of memory'), model).code).toBe('out-of-memory');
    expect(generateFailure(new Error('index out of range'), model)).toMatchObject({ code: 'internal', message: 'Qwen2.5-VL 3B Instruct failed while running. Please try again.' });
    // Not out of memory: "room" and "zoom" contain "oom".
    expect(generateFailure(new Error('no room for the zoomed frame'), model).code).toBe('internal');
  });

  // What ONNX Runtime's WASM build threw through the VLM worker in headless Chromium when a run did
  // not fit in WebAssembly's 4 GB: the Qwen3-VL-4B-shaped q4 build's decoder on a 61-token prompt
  // (bench/full-size-browser.ts), and the tiny test VLM on a 12,000-word one. Retrying fails the
  // same way, and so does closing tabs.
  const wasmAllocation = new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc');

  it("a failed allocation in ONNX Runtime's WASM is out of memory, said as WebAssembly's 4 GB, not the device's", () => {
    const error = generateFailure(wasmAllocation, { ...model, device: 'wasm' });
    expect(error).toMatchObject({ code: 'out-of-memory', detail: expect.stringMatching(/std::bad_alloc$/) });
    expect(error.message).toMatch(/^Qwen2\.5-VL 3B Instruct ran out of memory on this prompt\. WebAssembly gives the CPU engine at most 4 GB in a browser tab/);
    expect(error.message).toMatch(/closing tabs will not help/);
    expect(error.message).toMatch(/WebGPU \(Chrome or Edge\)/);
    expect(error.message).not.toMatch(/try again/i);
    // Off WASM the same words mean the device's memory.
    expect(generateFailure(wasmAllocation, { ...model, device: 'webgpu' }).message).toBe('Qwen2.5-VL 3B Instruct ran out of memory. Close other tabs and try again.');
  });

  it('a load that does not fit in WASM says the 4 GB limit and the smaller model', () => {
    const error = loadFailure(wasmAllocation, { ...model, device: 'wasm', smallerLabel: 'Qwen3.5 0.8B' });
    expect(error.code).toBe('out-of-memory');
    expect(error.message).toMatch(/^Qwen2\.5-VL 3B Instruct did not fit in the CPU engine's memory\. WebAssembly gives the CPU engine at most 4 GB/);
    expect(error.message).toMatch(/The smaller Qwen3\.5 0\.8B may fit\.$/);
  });
});

describe('failOnServerErrors', () => {
  it('a 5xx answer fails as its body is read; every other answer passes as it is', async () => {
    const answer = (status: number) => failOnServerErrors(async () => new Response('body', { status }));
    const failed = await answer(500)('https://site/models/q/onnx/a.onnx');
    expect(failed.status).toBe(500);
    await expect(failed.arrayBuffer()).rejects.toThrow('Server error (HTTP 500) for https://site/models/q/onnx/a.onnx');
    expect((await answer(404)('https://site/x')).status).toBe(404);
    expect(await (await answer(200)('https://site/x')).text()).toBe('body');
  });
});
