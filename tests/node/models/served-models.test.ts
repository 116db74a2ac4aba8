import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_SHELL_CACHE } from '../../../src/models/model-cache';
import { DEFAULT_VLM_ID, getModel } from '../../../src/models/registry';
import { fetchServedModels, isServed, parseServedModels, servedFolderUrl, servedModelsUrl } from '../../../src/models/served-models';

const site = 'https://example.org/app/';

function answering(response: () => Promise<Response>): { fetchFn: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fetchFn = ((input: RequestInfo | URL) => {
    urls.push(input instanceof Request ? input.url : input.toString());
    return response();
  }) as typeof fetch;
  return { fetchFn, urls };
}

describe('the models a deployment serves', () => {
  it('reads models/served.json from the site root', async () => {
    const { fetchFn, urls } = answering(async () => Response.json({ models: { [DEFAULT_VLM_ID]: ['q4'] } }));
    const served = await fetchServedModels(site, fetchFn);
    expect(urls).toEqual(['https://example.org/app/models/served.json']);
    expect(isServed(served, getModel(DEFAULT_VLM_ID), 'q4')).toBe(true);
    expect(isServed(served, getModel(DEFAULT_VLM_ID), 'q4f16')).toBe(false);
    expect(isServed(served, getModel('whisper-base'), { encoder_model: 'fp32', decoder_model_merged: 'q4' })).toBe(false);
  });

  it('counts a missing, unreadable or malformed list as nothing served', async () => {
    for (const response of [
      async () => new Response('not found', { status: 404 }),
      async () => new Response('{ nope'),
      async () => Promise.reject(new TypeError('Failed to fetch')),
    ]) {
      expect(await fetchServedModels(site, answering(response).fetchFn)).toEqual({ models: {} });
    }
    expect(parseServedModels({ models: { a: ['q4'], b: 'q4', c: [1] } })).toEqual({ models: { a: ['q4'] } });
    expect(parseServedModels([])).toEqual({ models: {} });
  });

  it('finds a served model at models/<its Hub repo>/ and web-llm builds under models/', () => {
    expect(servedFolderUrl(getModel(DEFAULT_VLM_ID), site)).toBe('https://example.org/app/models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX/');
    expect(servedFolderUrl(getModel('qwen2.5-3b-instruct-mlc'), site)).toBeUndefined();
    expect(servedModelsUrl(site)).toBe('https://example.org/app/models/');
  });
});

describe('the service worker keeps served models', () => {
  it('in the cache the models panel reads', () => {
    const worker = readFileSync(new URL('../../../public/app-shell-sw.js', import.meta.url), 'utf8');
    expect(worker).toContain(`const CACHE = '${APP_SHELL_CACHE}';`);
  });
});
