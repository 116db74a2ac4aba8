/**
 * The small text tier in its own worker: transformers.js' AutoTokenizer and AutoModelForCausalLM,
 * the chat template applied (Qwen3's thinking turned off), greedy decoding streamed piece by piece.
 * Loads only from the source it is given and serves ONNX Runtime's WASM from the app itself.
 */
import * as Comlink from 'comlink';
import { AutoModelForCausalLM, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer, type Tensor, type TextStreamer } from '@huggingface/transformers';
import { AppError, cancelledError } from '../src/core/errors';
import { generateFailure } from '../src/models/engines/engine-errors';
import type { TextWorkerApi, TextWorkerGenerateRequest, TextReply } from '../src/models/engines/text-engine';
import { JobQueue, ReplyStreamer, loadFromSource, prepareTransformersWorker, yieldBetweenSteps, type Job } from './transformers-worker';

prepareTransformersWorker();

interface Loaded {
  label: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

let loaded: Loaded | null = null;
const jobs = new JobQueue();

async function runJob(job: Job, request: TextWorkerGenerateRequest, onToken?: (text: string) => void): Promise<TextReply> {
  if (!loaded) throw new AppError('invalid-argument', 'The text model is not loaded yet.');
  const { tokenizer, model, label } = loaded;
  try {
    const messages = [...(request.system === undefined ? [] : [{ role: 'system', content: request.system }]), { role: 'user', content: request.prompt }];
    // Qwen3's template writes an empty thinking block when thinking is off: the answer comes at once.
    const text = tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true, enable_thinking: false } as never) as unknown as string;
    const inputs = tokenizer(text, { add_special_tokens: false }) as Record<string, Tensor>;
    const streamer = new ReplyStreamer(tokenizer, onToken);
    await model.generate({
      ...inputs,
      max_new_tokens: request.maxNewTokens,
      do_sample: false,
      streamer: streamer as unknown as TextStreamer,
      stopping_criteria: jobs.stopperFor(job),
    });
    await streamer.delivered();
    if (job.cancelled) throw cancelledError();
    return { text: streamer.text, tokens: streamer.ids.map(Number) };
  } catch (error) {
    throw generateFailure(error, { label });
  }
}

async function releaseModel(): Promise<void> {
  const current = loaded;
  loaded = null;
  await current?.model.dispose();
}

const api: TextWorkerApi = {
  load(options, onProgress) {
    return jobs.enqueue(async () => {
      await releaseModel();
      const started = performance.now();
      return loadFromSource(options, onProgress, async (modelId, common) => {
        const tokenizer = await AutoTokenizer.from_pretrained(modelId, common);
        const model = await AutoModelForCausalLM.from_pretrained(modelId, { ...common, device: options.device, dtype: options.dtype });
        yieldBetweenSteps(model);
        loaded = { label: options.label, tokenizer, model };
        return { device: options.device, family: String(model.config.model_type ?? 'unknown'), loadSeconds: (performance.now() - started) / 1000 };
      });
    });
  },

  generate(request, onToken) {
    return jobs.submit(request.jobId, (job) => runJob(job, request, onToken));
  },

  cancel(jobId) {
    jobs.cancel(jobId);
  },

  dispose() {
    jobs.cancelAll();
    return jobs.enqueue(releaseModel);
  },
};

Comlink.expose(api);
