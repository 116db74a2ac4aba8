import type { ProgressInfo } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { progressForwarder, type ModelLoadProgress } from '../../../src/models/engines/load-progress';

function progress(file: string, loaded: number, total: number): ProgressInfo {
  return { status: 'progress', name: 'model', file, progress: (100 * loaded) / total, loaded, total };
}

describe('progressForwarder', () => {
  it('sums bytes over every file seen so far, naming the file that moved', () => {
    const reports: ModelLoadProgress[] = [];
    const forward = progressForwarder((report) => reports.push(report));
    forward(progress('config.json', 10, 10));
    forward(progress('model.onnx', 100, 1000));
    forward(progress('model.onnx', 600, 1000));
    expect(reports).toEqual([
      { loaded: 10, total: 10, file: 'config.json' },
      { loaded: 110, total: 1010, file: 'model.onnx' },
      { loaded: 610, total: 1010, file: 'model.onnx' },
    ]);
  });

  it('ignores events that carry no byte counts', () => {
    const reports: ModelLoadProgress[] = [];
    const forward = progressForwarder((report) => reports.push(report));
    forward({ status: 'initiate', name: 'model', file: 'model.onnx' });
    forward({ status: 'done', name: 'model', file: 'model.onnx' });
    forward({ status: 'ready', task: 'automatic-speech-recognition', model: 'model' });
    expect(reports).toEqual([]);
  });
});
