/** The progress rows a model load's reports become (engine-reports.ts). */
import { describe, expect, it } from 'vitest';
import { engineReports, type EngineReportSink } from '../../../src/workspace/engine-reports';
import type { ProgressRow } from '../../../src/workspace/workspace-state';
import type { FileLoadProgress } from '../../../src/models/engines/load-progress';

function rows(): { sink: EngineReportSink; shown: () => ProgressRow | undefined } {
  let last: ProgressRow | undefined;
  const sink: EngineReportSink = {
    setProgress: (row) => (last = row),
    finishProgress: () => (last = undefined),
    models: () => ({ vlmId: 'tiny', vlm: { state: 'idle' }, speechId: null }),
    setModels: () => {},
    notice: () => {},
  };
  return { sink, shown: () => last };
}

function report(files: FileLoadProgress[]) {
  return {
    loaded: files.reduce((sum, file) => sum + file.loaded, 0),
    total: files.reduce((sum, file) => sum + file.total, 0),
    file: files.at(-1)?.file ?? '',
    files,
  };
}

const MB = 1_000_000;

describe('model load progress rows', () => {
  it('counts bytes while model files download', () => {
    const { sink, shown } = rows();
    const files = [
      { file: 'config.json', loaded: 2000, total: 2000 },
      { file: 'onnx/encoder_model_quantized.onnx', loaded: 20 * MB, total: 23 * MB },
      { file: 'onnx/decoder_model_merged_quantized.onnx', loaded: 53 * MB, total: 53 * MB },
    ];
    engineReports(sink).progress('speech', 'Whisper base', report(files));
    expect(shown()).toEqual({ id: 'speech', label: 'Loading Whisper base', done: 73 * MB + 2000, total: 76 * MB + 2000, unit: 'bytes', files });
  });

  it('says the model is starting, not downloading, once every byte is here', () => {
    const { sink, shown } = rows();
    const files = [
      { file: 'config.json', loaded: 2000, total: 2000 },
      { file: 'onnx/encoder_model_quantized.onnx', loaded: 23 * MB, total: 23 * MB },
      { file: 'onnx/decoder_model_merged_quantized.onnx', loaded: 53 * MB, total: 53 * MB },
    ];
    engineReports(sink).progress('speech', 'Whisper base', report(files));
    // No done/total: the view draws a bar without a value (work of unknown length), never "76 MB of 76 MB".
    expect(shown()).toEqual({ id: 'speech', label: 'Whisper base downloaded; starting it in this browser', files });
    const weights = [{ file: 'onnx/embed_tokens_q4f16.onnx_data', loaded: 9 * MB, total: 9 * MB }];
    engineReports(sink).progress('vlm', 'Qwen3.5 0.8B', report(weights));
    expect(shown()?.label).toBe('Qwen3.5 0.8B downloaded; starting it in this browser');
  });

  it('is still loading when only the small files that come first are complete', () => {
    const { sink, shown } = rows();
    const files = [
      { file: 'config.json', loaded: 2000, total: 2000 },
      { file: 'tokenizer.json', loaded: 2 * MB, total: 2 * MB },
    ];
    engineReports(sink).progress('speech', 'Whisper base', report(files));
    expect(shown()).toMatchObject({ label: 'Loading Whisper base', unit: 'bytes' });
  });
});
