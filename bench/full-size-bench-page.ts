/**
 * Runs inside headless Chromium, driven by bench/full-size-browser.ts: a full-size VLM build served
 * by this site (models/, as a deployment serves it) loaded through the real VLM worker and client,
 * then one temporal patch through its vision encoder, a text prefill and a few decoded tokens, or
 * a long prompt's next-token logits from one decoder run and from a prefill in parts.
 * Failures come back as the AppError the page would show (code, message, detail).
 */
import { AutoProcessor, env } from '@huggingface/transformers';
import { isAppError, describeError } from '../src/core/errors';
import { detectCapabilities } from '../src/models/capabilities';
import { setStallLimits } from '../src/core/watchdog';
import { VlmClient } from '../src/models/engines/vlm-client';
import { getModel, type ModelDevice, type ModelEntry, type TransformersDtype } from '../src/models/registry';
import { servedFolderUrl, servedModelsAt } from '../src/models/served-models';
import { modelSiteRoot } from '../src/models/site-root';
import { promptInputs } from '../src/models/qwen-vl/prompt-inputs';
import type { Tensor } from '@huggingface/transformers';

interface Failure {
  code: string;
  message: string;
  detail: string;
}

function failure(error: unknown): Failure {
  return isAppError(error)
    ? { code: error.code, message: error.message, detail: error.detail ?? '' }
    : { code: 'uncaught', message: describeError(error), detail: '' };
}

/** The registry entry with exactly `dtype` on `device`, so the bench loads the build asked for. */
function entryFor(id: string, device: ModelDevice, dtype: TransformersDtype): ModelEntry {
  const entry = getModel(id);
  const profile = entry.devices[device] ?? entry.devices.webgpu ?? { downloadMB: 0, memoryMB: 0 };
  return { ...entry, devices: { [device]: { ...profile, dtype, dtypeWithoutF16: dtype } } };
}

let engine: VlmClient | null = null;

/** A 16:9 frame of noise-like colour, as a skim frame would arrive. */
function frame(index: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(640, 360);
  const context = canvas.getContext('2d')!;
  for (let y = 0; y < 360; y += 20) {
    for (let x = 0; x < 640; x += 20) {
      context.fillStyle = `hsl(${(x * 7 + y * 13 + index * 31) % 360} 70% 50%)`;
      context.fillRect(x, y, 20, 20);
    }
  }
  return canvas.convertToBlob({ type: 'image/png' });
}

// A full-size load or prefill on WASM can run for minutes without a progress report; the bench
// measures how long instead of letting the watchdog end it (the load's figures say how long the
// silence after the download was, against the app's bound).
setStallLimits({ loadSeconds: 7200, vlmJobSeconds: 7200 });

/**
 * A text prompt whose templated length is at most `tokens`, counted with the model's own processor
 * and the worker's input code (the page's transformers.js reads the processor from this site).
 */
async function textPrompt(id: string, tokens: number): Promise<{ prompt: string; length: number }> {
  const folder = servedFolderUrl(getModel(id), modelSiteRoot(undefined))!;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  const segments = new URL(folder).pathname.split('/').filter(Boolean);
  const modelId = segments.pop()!;
  env.localModelPath = `/${segments.join('/')}/`;
  const processor = await AutoProcessor.from_pretrained(modelId);
  const words = 'the quick brown fox jumps over a lazy dog near the river bank while birds sing'.split(' ');
  const promptOf = (count: number) => Array.from({ length: count }, (_, i) => words[i % words.length]).join(' ');
  const lengthOf = async (text: string) => ((await promptInputs(processor, { prompt: text, images: [] }, null)).input_ids as Tensor).dims[1] ?? 0;
  // Fewer words until the templated prompt is at most `tokens` long.
  let count = tokens;
  let prompt = promptOf(count);
  let length = await lengthOf(prompt);
  while (length > tokens && count > 1) {
    count = Math.max(1, Math.min(count - 1, Math.floor((count * tokens) / length)));
    prompt = promptOf(count);
    length = await lengthOf(prompt);
  }
  return { prompt, length };
}

const bench = {
  /** What the app's own detection sees: WebGPU adapter and its buffer limits, memory hint, threads. */
  capabilities() {
    return detectCapabilities();
  },

  /** `prefillChunkTokens`: a long prompt's parts, instead of the worker's own choice. */
  async load(id: string, device: ModelDevice, dtype: TransformersDtype, prefillChunkTokens?: number) {
    const siteRoot = modelSiteRoot(undefined);
    const model = entryFor(id, device, dtype);
    const served = await servedModelsAt(siteRoot);
    engine = new VlmClient({ model, device, served, siteRoot, hasShaderF16: dtype !== 'q4', ...(prefillChunkTokens ? { prefillChunkTokens } : {}) });
    const started = performance.now();
    let downloaded = 0;
    let lastProgress = started;
    try {
      const result = await engine.load((progress) => {
        lastProgress = performance.now();
        if (progress.loaded - downloaded > 256 * 2 ** 20 || progress.loaded === progress.total) {
          downloaded = progress.loaded;
          console.info(`downloaded ${(progress.loaded / 2 ** 20).toFixed(0)} of ${(progress.total / 2 ** 20).toFixed(0)} MiB`);
        }
      });
      const now = performance.now();
      return { ok: true as const, seconds: (now - started) / 1000, afterDownloadSeconds: (now - lastProgress) / 1000, family: result.family, downloadedBytes: downloaded };
    } catch (error) {
      const now = performance.now();
      return { ok: false as const, seconds: (now - started) / 1000, afterDownloadSeconds: (now - lastProgress) / 1000, downloadedBytes: downloaded, failure: failure(error) };
    }
  },

  /** One temporal patch (two frames) of a 1280 x 720 source, sized as Stage 1 sizes it. */
  async vision() {
    const request = { prompt: 'Describe the video.', video: { frames: [await frame(0), await frame(1)], secondsPerGrid: 1, sourceSize: { width: 1280, height: 720 } } };
    try {
      return { ok: true as const, ...(await engine!.measureVision(request)) };
    } catch (error) {
      return { ok: false as const, failure: failure(error) };
    }
  },

  /**
   * Prefill and decode of a text prompt of about `tokens` tokens: one generation of one token
   * (the prefill) and one of 1 + `steps`; the difference over `steps` is the per-token time.
   * The prompt's length is counted with the model's own processor and the worker's input code.
   */
  async prefillAndDecode(id: string, tokens: number, steps: number) {
    const { prompt, length } = await textPrompt(id, tokens);
    const time = async (maxNewTokens: number) => {
      const started = performance.now();
      let pieces = 0;
      await engine!.generate({ prompt, maxNewTokens, onToken: () => pieces++ });
      return { seconds: (performance.now() - started) / 1000, pieces };
    };
    try {
      const one = await time(1);
      // Without steps, only the prefill (a long prompt's is the step that may not fit).
      const more = steps > 0 ? await time(1 + steps) : one;
      return { ok: true as const, promptTokens: length, prefillSeconds: one.seconds, decodeSecondsPerToken: steps > 0 ? (more.seconds - one.seconds) / steps : null, steps };
    } catch (error) {
      return { ok: false as const, promptTokens: length, failure: failure(error) };
    }
  },

  /**
   * The next-token logits of a text prompt of about `tokens` tokens (inspect: one forward, and a
   * greedy token), the decoder runs its prefill took, and the seconds.
   */
  async nextToken(id: string, tokens: number) {
    const { prompt, length } = await textPrompt(id, tokens);
    const started = performance.now();
    try {
      const inspection = await engine!.inspect({ prompt }, 1);
      return { ok: true as const, promptTokens: length, seconds: (performance.now() - started) / 1000, prefillRuns: inspection.prefillRuns, logits: [...inspection.nextTokenLogits], greedy: inspection.greedyTokens };
    } catch (error) {
      return { ok: false as const, promptTokens: length, failure: failure(error) };
    }
  },

  async dispose() {
    await engine?.dispose();
    engine = null;
  },
};

declare global {
  interface Window {
    fullSizeBench: typeof bench;
  }
}

window.fullSizeBench = bench;
document.title = 'ready';
