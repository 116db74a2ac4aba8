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
    expect(reports.map(({ loaded, total, file }) => ({ loaded, total, file }))).toEqual([
      { loaded: 10, total: 10, file: 'config.json' },
      { loaded: 110, total: 1010, file: 'model.onnx' },
      { loaded: 610, total: 1010, file: 'model.onnx' },
    ]);
  });

  it('lists every file with its own bytes, in the order they started', () => {
    const reports: ModelLoadProgress[] = [];
    const forward = progressForwarder((report) => reports.push(report));
    forward(progress('config.json', 10, 10));
    forward(progress('model.onnx', 100, 1000));
    forward(progress('tokenizer.json', 5, 50));
    forward(progress('model.onnx', 600, 1000));
    expect(reports[3]).toEqual({
      loaded: 615,
      total: 1060,
      file: 'model.onnx',
      files: [
        { file: 'config.json', loaded: 10, total: 10 },
        { file: 'model.onnx', loaded: 600, total: 1000 },
        { file: 'tokenizer.json', loaded: 5, total: 50 },
      ],
    });
    // An earlier report keeps the bytes it was sent with.
    expect(reports[1]?.files).toEqual([
      { file: 'config.json', loaded: 10, total: 10 },
      { file: 'model.onnx', loaded: 100, total: 1000 },
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
