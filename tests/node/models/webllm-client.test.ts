import { MLCEngine, type ChatCompletionChunk, type ChatCompletionRequest } from '@mlc-ai/web-llm';
import { describe, expect, it, vi } from 'vitest';
import { parseStage2Output } from '../../../src/agent/parse-model-output';
import { toolDefinitions } from '../../../src/core/protocol';
import { stage2WithFallback } from '../../../src/agent/stage2-fallback';
import type { AppError } from '../../../src/core/errors';
import { WebLlmReasoner, webLlmModelRecord } from '../../../src/models/engines/webllm-client';
import { getModel } from '../../../src/models/registry';

const tools = toolDefinitions({ includeWebTools: false });
const entry = getModel('qwen2.5-3b-instruct-mlc');

const STEP = {
  answerable: { verdict: false, reasoning: 'Need to hear what is said.' },
  final_answer: null,
  recommended_tools: {
    needed: true,
    why_no_tool: '',
    tool_calls: [
      {
        rationale: 'speech',
        name: 'verbal_transcript',
        arguments: { video_path: 'a.mp4', timestamp_start: '00:00:00', timestamp_end: '00:01:00' },
      },
    ],
  },
};

function chunk(content: string): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta: { content, role: 'assistant' }, finish_reason: null }],
  };
}

/** A real MLCEngine whose generation is replaced: the reply streams as the given pieces. */
function engineReplying(pieces: string[], between?: () => Promise<void>) {
  const engine = new MLCEngine();
  const requests: ChatCompletionRequest[] = [];
  vi.spyOn(engine, 'chatCompletion').mockImplementation(async (request: ChatCompletionRequest) => {
    requests.push(request);
    return (async function* () {
      for (const piece of pieces) {
        await between?.();
        yield chunk(piece);
      }
    })();
  });
  const interrupt = vi.spyOn(engine, 'interruptGenerate').mockResolvedValue();
  return { engine, requests, interrupt };
}

function reasoner(engine: MLCEngine, location: Parameters<typeof webLlmModelRecord>[2] = { kind: 'hub' }) {
  return new WebLlmReasoner({ engine, entry, dtype: 'q4f16_1', location, tools, smallerLabel: 'Qwen2.5 1.5B' });
}

describe('WebLlmReasoner', () => {
  it('streams a schema-constrained Stage-2 reply that the Stage-2 parser accepts', async () => {
    const text = JSON.stringify(STEP);
    const { engine, requests } = engineReplying([text.slice(0, 20), text.slice(20, 90), text.slice(90)]);
    const tokens: string[] = [];
    const reply = await reasoner(engine).generate({ prompt: 'step 1', signal: new AbortController().signal, onToken: (t) => tokens.push(t) });
    expect(reply).toBe(`<json>${text}</json>`);
    expect(tokens.join('')).toBe(reply);
    const parsed = parseStage2Output(reply);
    expect(parsed.ok && parsed.value.recommended_tools.tool_calls[0]?.name).toBe('verbal_transcript');
    const request = requests[0]!;
    expect(request.stream).toBe(true);
    expect(request.temperature).toBe(0);
    expect(request.response_format?.type).toBe('json_object');
    expect(JSON.parse(request.response_format!.schema!)).toMatchObject({ required: ['answerable', 'final_answer', 'recommended_tools'] });
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'step 1' });
    // Qwen2.5 has no thinking mode, so web-llm is not told about one.
    expect(request.extra_body).toBeUndefined();
  });

  it('asks a Qwen3 reasoner to skip its thinking block, which the Stage-2 schema has no room for', async () => {
    const { engine, requests } = engineReplying([JSON.stringify(STEP)]);
    const qwen3 = new WebLlmReasoner({ engine, entry: getModel('qwen3-1.7b-mlc'), dtype: 'q4f32_1', location: { kind: 'hub' }, tools });
    await qwen3.generate({ prompt: 'step 1', signal: new AbortController().signal });
    expect(requests[0]?.extra_body).toEqual({ enable_thinking: false });
  });

  it('stops generation and rejects with cancelled when the signal aborts mid-stream', async () => {
    const controller = new AbortController();
    let step = 0;
    const { engine, interrupt } = engineReplying(['{"a', 'nswerable', '": {'], async () => {
      step += 1;
      if (step === 2) controller.abort();
    });
    await expect(reasoner(engine).generate({ prompt: 'p', signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(interrupt).toHaveBeenCalledTimes(1);
  });

  it('refuses frames: Stage 2 is text only', async () => {
    const { engine } = engineReplying(['{}']);
    await expect(
      reasoner(engine).generate({ prompt: 'p', images: [{ id: 'f', timestamp: 1 }], signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('turns a lost GPU during generation into a gpu-lost AppError', async () => {
    const engine = new MLCEngine();
    vi.spyOn(engine, 'chatCompletion').mockRejectedValue(new Error('DeviceLostError: WebGPU device was lost.'));
    await expect(reasoner(engine).generate({ prompt: 'p', signal: new AbortController().signal })).rejects.toMatchObject({ code: 'gpu-lost' });
  });

  it('reports load failures as AppErrors: out of memory names the smaller model, a cut download says so', async () => {
    const engine = new MLCEngine();
    const reload = vi.spyOn(engine, 'reload');
    reload.mockRejectedValueOnce(new Error('Device was lost. This can happen due to insufficient memory (out of memory)'));
    await expect(reasoner(engine).load()).rejects.toMatchObject({ code: 'out-of-memory', message: expect.stringMatching(/smaller Qwen2.5 1.5B/) });
    reload.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(reasoner(engine).load()).rejects.toMatchObject({ code: 'download-failed' });
    reload.mockRejectedValueOnce(new DOMException('Quota exceeded', 'QuotaExceededError'));
    await expect(reasoner(engine).load()).rejects.toMatchObject({ code: 'quota-exceeded' });
  });

  it('passes the app config with absolute URLs and load progress to the engine', async () => {
    const engine = new MLCEngine();
    const reload = vi.spyOn(engine, 'reload').mockImplementation(async () => {
      engine.getInitProgressCallback()?.({ progress: 0.5, timeElapsed: 1, text: 'Fetching param cache[1/2]' });
    });
    const setConfig = vi.spyOn(engine, 'setAppConfig');
    const progress: unknown[] = [];
    await reasoner(engine, { kind: 'self-hosted', modelsUrl: 'https://example.org/app/models' }).load((p) => progress.push(p));
    expect(reload).toHaveBeenCalledWith('Qwen2.5-3B-Instruct-q4f16_1-MLC');
    expect(setConfig.mock.calls[0]?.[0].model_list[0]).toMatchObject({
      model: 'https://example.org/app/models/mlc-ai/Qwen2.5-3B-Instruct-q4f16_1-MLC/resolve/main/',
      model_lib: 'https://example.org/app/models/mlc-ai/libs/Qwen2.5-3B-Instruct-q4f16_1_cs1k-webgpu.wasm',
      required_features: ['shader-f16'],
    });
    expect(progress).toEqual([{ fraction: 0.5, text: 'Fetching param cache[1/2]' }]);
  });
});

describe('webLlmModelRecord', () => {
  it('points Hub builds at mlc-ai repositories and web-llm prebuilt libraries; f32 builds need no shader-f16', () => {
    const source = entry.source;
    if (source.kind !== 'mlc') throw new Error('expected an mlc source');
    const record = webLlmModelRecord(source.builds.q4f32_1!, 'q4f32_1', { kind: 'hub' });
    expect(record.model).toBe('https://huggingface.co/mlc-ai/Qwen2.5-3B-Instruct-q4f32_1-MLC');
    expect(record.model_lib).toMatch(/^https:\/\/raw\.githubusercontent\.com\/mlc-ai\/binary-mlc-llm-libs\/.*\/Qwen2\.5-3B-Instruct-q4f32_1_cs1k-webgpu\.wasm$/);
    expect(record.required_features).toBeUndefined();
    expect(record.vram_required_MB).toBe(2893.64);
    expect(record.overrides?.context_window_size).toBe(4096);
  });
});

describe('Stage 2 falls back to the VLM', () => {
  const vlm = { generate: vi.fn(async () => '<json>{"answerable": true, "final_answer": "vlm"}</json>') };
  const request = () => ({ prompt: 'p', signal: new AbortController().signal });

  it('when the real web-llm engine cannot load here (no WebGPU, no model files)', async () => {
    const failing = reasoner(new MLCEngine(), { kind: 'self-hosted', modelsUrl: 'http://127.0.0.1:9/models/' });
    const notices: AppError[] = [];
    const stage2 = stage2WithFallback({ reasoner: failing.load().then(() => failing), fallback: vlm, onFallback: (e) => notices.push(e) });
    expect(await stage2.generate(request())).toMatch(/"vlm"/);
    expect(await stage2.generate(request())).toMatch(/"vlm"/);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.name).toBe('AppError');
  });

  it('when the reasoner is off', async () => {
    const stage2 = stage2WithFallback({ reasoner: null, fallback: vlm });
    expect(await stage2.generate(request())).toMatch(/"vlm"/);
  });

  it('when the reasoner breaks mid-run, for that step and the rest; cancellation is not a failure', async () => {
    const { engine } = engineReplying(['{}']);
    const good = reasoner(engine);
    const notices: AppError[] = [];
    const stage2 = stage2WithFallback({ reasoner: good, fallback: vlm, onFallback: (e) => notices.push(e) });
    expect(await stage2.generate(request())).toBe('<json>{}</json>');
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(stage2.generate({ prompt: 'p', signal: cancelled.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(notices).toEqual([]);
    vi.spyOn(engine, 'chatCompletion').mockRejectedValue(new Error('Device lost'));
    expect(await stage2.generate(request())).toMatch(/"vlm"/);
    expect(notices.map((n) => n.code)).toEqual(['gpu-lost']);
    expect(await stage2.generate(request())).toMatch(/"vlm"/);
  });
});
