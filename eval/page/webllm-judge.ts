/**
 * The app's web-llm text reasoner as the judge: the same engine and model records, decoding under
 * the verdict schema with the judge's system message. Loaded from this site when it serves the
 * build (models:pull), else from the Hub, like the app's reasoner.
 */
import type { ReasoningModel } from '../../src/core/contracts';
import { AppError } from '../../src/core/errors';
import { detectCapabilities } from '../../src/models/capabilities';
import { WebLlmReasoner, createWebLlmWorkerEngine, type WebLlmLoadProgress } from '../../src/models/engines/webllm-client';
import { dtypeFor, findModel, isMlcDtype } from '../../src/models/registry';
import { isServed, servedModelsAt, servedModelsUrl } from '../../src/models/served-models';
import { JUDGE_SYSTEM, VERDICT_SCHEMA } from '../judge';

/** A verdict's reasoning and boolean fit well within this. */
const JUDGE_MAX_TOKENS = 512;

export async function loadWebLlmJudge(modelId: string, siteRoot: string, onProgress: (progress: WebLlmLoadProgress) => void): Promise<ReasoningModel> {
  const entry = findModel(modelId);
  if (!entry || entry.source.kind !== 'mlc') throw new AppError('invalid-argument', `${modelId} is not a web-llm model, so it cannot judge.`);
  const { webgpu } = await detectCapabilities();
  if (!webgpu.available) throw new AppError('model-load-failed', `The judge ${entry.label} needs WebGPU, which this browser does not offer (${webgpu.reason}).`);
  const dtype = dtypeFor(entry, 'webgpu', webgpu.shaderF16);
  if (dtype === undefined || !isMlcDtype(dtype)) throw new AppError('invalid-argument', `${entry.label} has no web-llm build for this GPU.`);
  const location = isServed(await servedModelsAt(siteRoot), entry, dtype)
    ? ({ kind: 'self-hosted', modelsUrl: servedModelsUrl(siteRoot) } as const)
    : ({ kind: 'hub' } as const);
  const judge = new WebLlmReasoner({
    engine: createWebLlmWorkerEngine(),
    entry,
    dtype,
    location,
    tools: [],
    schema: VERDICT_SCHEMA,
    systemPrompt: JUDGE_SYSTEM,
    maxTokens: JUDGE_MAX_TOKENS,
  });
  await judge.load(onProgress);
  return judge;
}
