/**
 * What the engines need from a workspace: their settings, read from its settings and model picks,
 * and a listener that turns their load reports into progress rows and model states.
 */
import type { EngineListener, EngineModel, EngineSettings } from '../runtime/engine-contracts';
import type { ModelLoadProgress } from '../models/engines/load-progress';
import type { ModelPicks } from './model-picks';
import type { ModelsState, ProgressRow, WorkspaceSettings } from './workspace-state';

/** What a progress row says while a model's load has not reported any progress yet. */
const LOADING_LABELS: Record<EngineModel, string> = {
  speech: 'speech recognition',
  vlm: 'the vision-language model',
  reasoner: 'the text reasoner',
  writer: 'the text model for answers from the speech',
};

export function engineSettings(settings: () => WorkspaceSettings, picks: ModelPicks): () => EngineSettings {
  return () => {
    const config = settings();
    return {
      modelId: config.model || undefined,
      modelSource: config.modelSource || undefined,
      speechId: config.speech || undefined,
      modelBaseUrl: config.modelBaseUrl,
      capabilities: () => picks.capabilities(),
      choice: () => picks.choice(),
    };
  };
}

export interface EngineReportSink {
  setProgress(row: ProgressRow): void;
  finishProgress(id: string): void;
  models(): ModelsState;
  setModels(models: ModelsState): void;
  notice(text: string): void;
}

/** An ONNX model file (a graph or its external weights): what a load downloads before it starts sessions. */
const MODEL_FILE = /\.onnx(_data(_\d+)?)?$/;

/**
 * Whether every byte of a load's files has arrived, model files included: what is left is
 * ONNX Runtime building its sessions, which reports no progress and can take tens of seconds.
 * Config and tokenizer files alone come first and do not count.
 */
function downloaded(progress: ModelLoadProgress): boolean {
  return progress.total > 0 && progress.loaded >= progress.total && progress.files.some((file) => MODEL_FILE.test(file.file));
}

export function engineReports(sink: EngineReportSink): EngineListener {
  return {
    progress: (model, label, progress) => {
      if (!progress) sink.finishProgress(model);
      else if ('fraction' in progress) sink.setProgress({ id: model, label: `Loading ${label}`, done: progress.fraction, total: 1, unit: 'percent' });
      // Never "76 MB of 76 MB" as if still downloading: the files are here and the model is starting.
      else if (downloaded(progress)) sink.setProgress({ id: model, label: `${label} downloaded; starting it in this browser`, files: progress.files });
      else sink.setProgress({ id: model, label: `Loading ${label}`, done: progress.loaded, total: progress.total, unit: 'bytes', files: progress.files });
    },
    loaded: (model, state) => {
      if (model === 'vlm') sink.setModels({ ...sink.models(), vlm: state });
      if (model === 'speech' && state.state === 'loading' && state.modelId) sink.setModels({ ...sink.models(), speechId: state.modelId });
      if (state.state === 'loading') sink.setProgress({ id: model, label: `Loading ${LOADING_LABELS[model]}` });
    },
    notice: (text) => sink.notice(text),
  };
}
