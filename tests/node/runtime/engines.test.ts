/**
 * The page's engines with the workers replaced by doubles (the injected factories): each model
 * loads once however many calls wait for it, a failed load is classified and forgotten, a changed
 * model frees the old one, and dispose frees everything.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaClient } from '../../../src/media/media-client';
import type { VlmClient } from '../../../src/models/engines/vlm-client';
import type { WhisperEngine } from '../../../src/models/engines/whisper-client';
import { AgentEngines } from '../../../src/runtime/engines';
import type { EngineFactories, EngineSettings, LoadState } from '../../../src/runtime/engine-contracts';
import { device } from '../fixtures/devices';

interface Doubles {
  factories: EngineFactories;
  whisperLoads: number;
  whisperDisposed: number;
  vlmModels: string[];
  vlmDisposed: string[];
  mediaDisposed: number;
  /** Makes the next Whisper load fail with this error. */
  failNextWhisper: Error | null;
}

function doubles(): Doubles {
  const d: Doubles = {
    whisperLoads: 0,
    whisperDisposed: 0,
    vlmModels: [],
    vlmDisposed: [],
    mediaDisposed: 0,
    failNextWhisper: null,
    factories: {
      media: () => ({ dispose: () => void d.mediaDisposed++ }) as unknown as MediaClient,
      whisper: async () => {
        d.whisperLoads++;
        await Promise.resolve();
        const failure = d.failNextWhisper;
        d.failNextWhisper = null;
        if (failure) throw failure;
        const engine: WhisperEngine = {
          generate: async () => ({ segments: [], audioSeconds: 1, whisperSeconds: 0, speechRegions: [], vadSeconds: 0, asrSeconds: 0 }),
          dispose: async () => void d.whisperDisposed++,
        };
        return engine;
      },
      vlm: (options) => {
        d.vlmModels.push(options.model.id);
        return {
          load: async () => ({ device: options.device, family: 'qwen2_5_vl', loadSeconds: 0, acceptsVideo: true }),
          generate: async () => 'reply',
          interrupt: async () => {},
          dispose: async () => void d.vlmDisposed.push(options.model.id),
        } as unknown as VlmClient;
      },
      webllm: () => Promise.reject(new Error('no web-llm in these tests')),
      text: () => {
        throw new Error('no text tier in these tests');
      },
    },
  };
  return d;
}

let d: Doubles;
let settings: EngineSettings;
let states: Array<[string, LoadState['state']]>;
let engines: AgentEngines;

beforeEach(() => {
  // No models/served.json on this pretend site.
  vi.stubGlobal('fetch', async () => new Response('not found', { status: 404 }));
  d = doubles();
  states = [];
  settings = {
    modelId: 'tiny-random-qwen2.5-vl',
    modelSource: undefined,
    speechId: undefined,
    modelBaseUrl: 'http://site.test/app/',
    capabilities: async () => device({ webgpu: false }),
    choice: () => Promise.reject(new Error('the chooser is not needed when a model is named')),
  };
  engines = new AgentEngines(() => settings, {
    progress: () => {},
    loaded: (model, state) => states.push([model, state.state]),
    notice: () => {},
  }, d.factories);
});

afterEach(() => vi.unstubAllGlobals());

const transcribe = () => engines.speech.transcribe(new Float32Array(16_000), { offsetSeconds: 0 });

describe('AgentEngines', () => {
  it('loads Whisper once for calls that wait on it together, and reports loading then ready', async () => {
    await Promise.all([transcribe(), transcribe(), transcribe()]);
    expect(d.whisperLoads).toBe(1);
    expect(states.filter(([model]) => model === 'speech').map(([, state]) => state)).toEqual(['loading', 'loading', 'ready']);
  });

  it('classifies a failed load, reports it, and loads again on the next call', async () => {
    d.failNextWhisper = new TypeError('Failed to fetch');
    await expect(transcribe()).rejects.toMatchObject({ code: 'download-failed', message: expect.stringContaining('Whisper base') });
    expect(states.at(-1)).toEqual(['speech', 'failed']);
    await transcribe();
    expect(d.whisperLoads).toBe(2);
  });

  it('resetSpeech frees the loaded model, and the next call loads the one named now', async () => {
    await transcribe();
    settings = { ...settings, speechId: 'whisper-tiny' };
    await engines.resetSpeech();
    expect(d.whisperDisposed).toBe(1);
    await transcribe();
    expect(d.whisperLoads).toBe(2);
  });

  it('a question for another model frees the first VLM; the same model is loaded once', async () => {
    const ask = () => engines.vlmGenerator.generate({ prompt: 'hi' });
    await Promise.all([ask(), ask()]);
    expect(d.vlmModels).toEqual(['tiny-random-qwen2.5-vl']);
    settings = { ...settings, modelId: 'qwen3.5-0.8b' };
    await ask();
    expect(d.vlmModels).toEqual(['tiny-random-qwen2.5-vl', 'qwen3.5-0.8b']);
    expect(d.vlmDisposed).toEqual(['tiny-random-qwen2.5-vl']);
    expect(engines.vlmState()).toEqual({ state: 'ready', device: 'wasm' });
  });

  it('an unknown model fails with a message, and the VLM state says failed', async () => {
    settings = { ...settings, modelId: 'no-such-model' };
    await expect(engines.vlmGenerator.generate({ prompt: 'hi' })).rejects.toMatchObject({ code: 'model-load-failed' });
    expect(engines.vlmState().state).toBe('failed');
  });

  it('a failed VLM load is kept: the facts carry it until retryVision, and another model has none', async () => {
    d.factories.vlm = (options) => {
      d.vlmModels.push(options.model.id);
      return { load: async () => Promise.reject(new TypeError('Failed to fetch')), dispose: async () => {} } as unknown as VlmClient;
    };
    await expect(engines.vlmGenerator.generate({ prompt: 'hi' })).rejects.toMatchObject({ code: 'download-failed' });
    const facts = await engines.visionFacts(false);
    expect(facts.model).toMatchObject({ label: expect.any(String), downloadMB: expect.any(Number) });
    expect(facts.failure).toMatchObject({ code: 'download-failed' });
    settings = { ...settings, modelId: 'qwen3.5-0.8b' };
    expect((await engines.visionFacts(true)).failure).toBeNull();
    expect((await engines.visionFacts(true)).model).toMatchObject({ label: 'Qwen3.5 0.8B', downloadMB: 702.8, wasmSecondsPerAnswer: [670, 1860] });
    settings = { ...settings, modelId: 'tiny-random-qwen2.5-vl' };
    engines.retryVision();
    expect((await engines.visionFacts(false)).failure).toBeNull();
  });

  it('the text writer loads only when its files need no download, once, and a failed load leaves the passages', async () => {
    const loads: string[] = [];
    let fail = false;
    d.factories.text = (options) => {
      loads.push(`${options.label} ${JSON.stringify(options.dtype)} ${options.source.kind}`);
      return {
        load: async () => {
          if (fail) throw new TypeError('Failed to fetch');
          return { device: 'wasm', family: 'qwen3', loadSeconds: 0 };
        },
        generate: async (request) => `wrote: ${request.prompt}`,
        dispose: async () => {},
      };
    };
    expect(await engines.textWriter(async () => [])).toBeUndefined();
    expect(loads).toEqual([]);
    const kept = async () => [{ id: 'qwen3-0.6b', bytes: 852 * 2 ** 20 }];
    const writer = await engines.textWriter(kept);
    expect(writer?.label).toBe('Qwen3 0.6B');
    expect(await writer?.model.generate({ prompt: 'p' })).toBe('wrote: p');
    await engines.textWriter(kept);
    expect(loads).toEqual([`Qwen3 0.6B "q4" hub`]);
    // Half the files kept is not stored.
    expect(await engines.textWriter(async () => [{ id: 'qwen3-0.6b', bytes: 400 * 2 ** 20 }])).toBeUndefined();
    await engines.dispose();
    const notices: string[] = [];
    engines = new AgentEngines(() => settings, { progress: () => {}, loaded: () => {}, notice: (text) => notices.push(text) }, d.factories);
    fail = true;
    expect(await engines.textWriter(kept)).toBeUndefined();
    expect(notices[0]).toMatch(/Qwen3 0.6B.*The answer lists the passages instead\.$/);
  });

  it('a model that cannot run on this device gives no model facts but the reason', async () => {
    settings = { ...settings, modelId: 'no-such-model' };
    const facts = await engines.visionFacts(false);
    expect(facts.model).toBeNull();
    expect(facts.unfit?.message).toContain('no-such-model');
  });

  it('dispose frees the media worker and every loaded model, and may be called twice', async () => {
    await Promise.all([transcribe(), engines.vlmGenerator.generate({ prompt: 'hi' })]);
    await engines.dispose();
    await engines.dispose();
    expect(d.mediaDisposed).toBe(2);
    expect(d.whisperDisposed).toBe(1);
    expect(d.vlmDisposed).toEqual(['tiny-random-qwen2.5-vl']);
  });
});
