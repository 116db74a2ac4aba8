/**
 * The web-llm text reasoner as the agent's Stage-2 `ReasoningModel`. Every reply is decoded under
 * the Stage-2 JSON schema (`response_format`), so each step parses; the JSON is handed on inside
 * `<json>` tags, the form the prompts ask for and `parseStage2Output` reads first.
 *
 * The engine is any `MLCEngineInterface`: `createWebLlmWorkerEngine()` (the worker) in the app, an
 * in-page `MLCEngine` with its generation replaced in tests.
 */
import {
  WebWorkerMLCEngine,
  prebuiltAppConfig,
  modelLibURLPrefix,
  modelVersion,
  type AppConfig,
  type InitProgressReport,
  type MLCEngineInterface,
  type ModelRecord,
} from '@mlc-ai/web-llm';
import { stage2Schema, type ConstraintSchema } from '../../core/stage2-schema';
import type { ToolDefinition } from '../../core/protocol';
import type { GenerateRequest, ReasoningModel } from '../../core/contracts';
import { AppError, cancelledError } from '../../core/errors';
import { cancelOnAbort } from '../../core/cancellation';
import { mlcBuildFor, type MlcBuild, type MlcDtype, type ModelEntry } from '../registry';
import { generateFailure, loadFailure, stallFailure } from './engine-errors';
import { stallLimits, watchProgress } from '../../core/watchdog';

/** What the adapter uses of web-llm's engine. */
export type TextEngine = Pick<MLCEngineInterface, 'reload' | 'chatCompletion' | 'interruptGenerate' | 'unload' | 'setAppConfig' | 'setInitProgressCallback'>;

/**
 * Where a web-llm model's files come from: the Hub and web-llm's prebuilt libraries, or this site's
 * `models/` folder as `models:pull` lays it out (`mlc-ai/<modelId>/resolve/main/...` and
 * `mlc-ai/libs/<lib>.wasm`).
 */
export type WebLlmLocation = { kind: 'hub' } | { kind: 'self-hosted'; modelsUrl: string };

export interface WebLlmLoadProgress {
  /** 0 to 1 over the whole load (download, then GPU upload). */
  fraction: number;
  /** web-llm's own line, e.g. "Fetching param cache[3/40]: 512MB fetched". */
  text: string;
}

/** The Stage-2 JSON plus its reasoning fits well within this. */
export const DEFAULT_REASONER_MAX_TOKENS = 768;
/** web-llm's prebuilt libraries for Qwen2.5 are compiled for this context length. */
const CONTEXT_WINDOW = 4096;

const SYSTEM_PROMPT =
  'You are the step-by-step reasoning stage of a video question-answering agent. Reply with the JSON object the user message describes, and nothing else.';

/**
 * The web-llm model record for a build, every URL absolute: web-llm resolves a relative `model`
 * against nothing and fails (web-llm issue 294), and self-hosted libraries must be found offline.
 */
export function webLlmModelRecord(build: MlcBuild, dtype: MlcDtype, location: WebLlmLocation): ModelRecord {
  const prebuilt = prebuiltAppConfig.model_list.find((record) => record.model_id === build.modelId);
  const self = location.kind === 'self-hosted' ? new URL(location.modelsUrl) : undefined;
  if (self && !self.pathname.endsWith('/')) self.pathname += '/';
  return {
    model: self ? new URL(`mlc-ai/${build.modelId}/resolve/main/`, self).href : `https://huggingface.co/mlc-ai/${build.modelId}`,
    model_id: build.modelId,
    model_lib: self ? new URL(`mlc-ai/libs/${build.modelLib}`, self).href : `${modelLibURLPrefix}${modelVersion}/${build.modelLib}`,
    vram_required_MB: build.vramMB,
    ...(dtype === 'q4f16_1' ? { required_features: ['shader-f16'] } : {}),
    overrides: { ...prebuilt?.overrides, context_window_size: CONTEXT_WINDOW },
  };
}

export function webLlmAppConfig(record: ModelRecord): AppConfig {
  // The Cache API is web-llm's best-tested backend, and the model cache lists and deletes through it.
  return { model_list: [record], cacheBackend: 'cache' };
}

/** A `WebWorkerMLCEngine` on `workers/webllm.worker.ts`; `terminate` ends the worker. */
export function createWebLlmWorkerEngine(): TextEngine & { terminate(): void } {
  const worker = new Worker(new URL('../../../workers/webllm.worker.ts', import.meta.url), { type: 'module' });
  const engine = new WebWorkerMLCEngine(worker);
  return Object.assign(engine, { terminate: () => worker.terminate() });
}

export interface WebLlmReasonerOptions {
  engine: TextEngine;
  entry: ModelEntry;
  dtype: MlcDtype;
  location: WebLlmLocation;
  /** The tools Stage 2 may call; the schema allows exactly these. */
  tools: readonly ToolDefinition[];
  /** Another reply shape and system message, for a use other than Stage 2 (the eval's judge). */
  schema?: ConstraintSchema;
  systemPrompt?: string;
  maxTokens?: number;
  /** Named in "try the smaller ..." when the model does not fit. */
  smallerLabel?: string;
}

export class WebLlmReasoner implements ReasoningModel {
  private readonly engine: TextEngine;
  private readonly record: ModelRecord;
  private readonly schema: string;
  private readonly systemPrompt: string;
  private readonly label: string;
  private readonly maxTokens: number;
  private readonly smallerLabel: string | undefined;
  private readonly thinks: boolean;

  constructor(options: WebLlmReasonerOptions) {
    const build = mlcBuildFor(options.entry, options.dtype);
    if (!build) {
      throw new AppError('invalid-argument', `${options.entry.label} has no web-llm ${options.dtype} build.`, {
        detail: `${options.entry.id} source kind ${options.entry.source.kind}`,
      });
    }
    this.engine = options.engine;
    this.record = webLlmModelRecord(build, options.dtype, options.location);
    this.schema = JSON.stringify(options.schema ?? stage2Schema(options.tools));
    this.systemPrompt = options.systemPrompt ?? SYSTEM_PROMPT;
    this.label = options.entry.label;
    this.maxTokens = options.maxTokens ?? DEFAULT_REASONER_MAX_TOKENS;
    this.smallerLabel = options.smallerLabel;
    this.thinks = options.entry.source.kind === 'mlc' && options.entry.source.thinks === true;
  }

  /**
   * Downloads (or reads from web-llm's cache) and initialises the model on WebGPU, under a watchdog
   * (watchdog.ts) that web-llm's progress reports advance: a load that stops reporting fails
   * with a 'stalled' AppError instead of hanging.
   */
  async load(onProgress?: (progress: WebLlmLoadProgress) => void): Promise<void> {
    this.engine.setAppConfig(webLlmAppConfig(this.record));
    let last: string | undefined;
    try {
      await watchProgress(
        {
          idleSeconds: stallLimits().loadSeconds,
          stalled: (idle) => stallFailure(idle, { label: this.label, phase: 'load', lastProgress: last ?? 'no progress', where: this.record.model_id }),
        },
        (advance) => {
          this.engine.setInitProgressCallback((report: InitProgressReport) => {
            last = report.text;
            advance();
            onProgress?.({ fraction: report.progress, text: report.text });
          });
          return this.engine.reload(this.record.model_id);
        },
      );
    } catch (error) {
      throw loadFailure(error, { label: this.label, smallerLabel: this.smallerLabel, where: this.record.model_id });
    }
  }

  async generate(request: GenerateRequest): Promise<string> {
    const { signal, onToken } = request;
    if (request.images && request.images.length > 0) {
      throw new AppError('invalid-argument', `${this.label} reads text only; it cannot look at frames.`);
    }
    return cancelOnAbort(signal, () => this.engine.interruptGenerate(), async () => {
      try {
        const chunks = await this.engine.chatCompletion({
          messages: [
            { role: 'system', content: this.systemPrompt },
            { role: 'user', content: request.prompt },
          ],
          stream: true,
          temperature: 0,
          max_tokens: this.maxTokens,
          response_format: { type: 'json_object', schema: this.schema },
          // The schema leaves no room for a <think> block; web-llm closes it before the reply starts.
          ...(this.thinks ? { extra_body: { enable_thinking: false } } : {}),
        });
        onToken?.('<json>');
        let json = '';
        for await (const chunk of chunks) {
          if (signal.aborted) break;
          const piece = chunk.choices[0]?.delta.content ?? '';
          if (piece === '') continue;
          json += piece;
          onToken?.(piece);
        }
        if (signal.aborted) throw cancelledError();
        onToken?.('</json>');
        return `<json>${json}</json>`;
      } catch (error) {
        if (signal.aborted) throw cancelledError();
        throw generateFailure(error, { label: this.label });
      }
    });
  }
}
