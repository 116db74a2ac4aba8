/**
 * What the engines need from a workspace: their settings, read from its settings and model picks,
 * and a listener that turns their load reports into progress rows and model states.
 */
import type { EngineListener, EngineModel, EngineSettings } from '../runtime/engine-contracts';
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

export function engineReports(sink: EngineReportSink): EngineListener {
  return {
    progress: (model, label, progress) => {
      if (!progress) sink.finishProgress(model);
      else if ('fraction' in progress) sink.setProgress({ id: model, label: `Loading ${label}`, done: progress.fraction, total: 1, unit: 'percent' });
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
