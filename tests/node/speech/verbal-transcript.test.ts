import { describe, expect, it } from 'vitest';
import { isCancelled } from '../../../src/core/errors';
import type { SpeechTranscriber, TimeSpan } from '../../../src/core/contracts';
import type { TranscribeCallOptions } from '../../../src/models/engines/whisper-client';
import { TranscriptCache } from '../../../src/tools/transcript-cache';
import { renderTranscript, verbalTranscript, type AudioProvider } from '../../../src/tools/verbal-transcript';

/** Audio of N seconds is N samples here; the fake recogniser says one word per second of audio. */
function fakes() {
  const fetched: TimeSpan[] = [];
  const transcribed: TranscribeCallOptions[] = [];
  const audio: AudioProvider = {
    async audio(window) {
      fetched.push(window);
      return new Float32Array(Math.round(window.end - window.start));
    },
  };
  const transcriber: SpeechTranscriber = {
    async transcribe(samples, options) {
      transcribed.push(options);
      const segments = Array.from({ length: samples.length }, (_, i) => ({
        start: options.offsetSeconds + i,
        end: options.offsetSeconds + i + 1,
        text: `w${options.offsetSeconds + i}`,
      }));
      return {
        segments,
        audioSeconds: samples.length,
        whisperSeconds: samples.length / 2,
        speechRegions: [],
        vadSeconds: 0,
        asrSeconds: 0,
      };
    },
  };
  return { fetched, transcribed, deps: { audio, transcriber, cache: new TranscriptCache() } };
}

describe('verbalTranscript', () => {
  it('transcribes the window and renders timed lines', async () => {
    const { deps, transcribed } = fakes();
    const result = await verbalTranscript(deps, { start: 60, end: 63 }, { language: 'en' });
    expect(result.segments.map((s) => s.text)).toEqual(['w60', 'w61', 'w62']);
    expect(result.text).toBe('[00:01:00-00:01:01] w60\n[00:01:01-00:01:02] w61\n[00:01:02-00:01:03] w62');
    expect(result.transcribedSeconds).toBe(3);
    // Whisper heard 2 s before the window and 8 s after it (13 s of audio here, half of it "speech").
    expect(result.whisperSeconds).toBe(6.5);
    expect(transcribed[0]).toMatchObject({ offsetSeconds: 58, language: 'en' });
  });

  it('only transcribes the parts of a window not already cached', async () => {
    const { deps, fetched } = fakes();
    await verbalTranscript(deps, { start: 10, end: 20 });
    await verbalTranscript(deps, { start: 30, end: 40 });
    const result = await verbalTranscript(deps, { start: 5, end: 45 });
    // Each span is heard with 2 s before and 8 s after it.
    expect(fetched).toEqual([
      { start: 8, end: 28 },
      { start: 28, end: 48 },
      { start: 3, end: 18 },
      { start: 18, end: 38 },
      { start: 38, end: 53 },
    ]);
    expect(result.transcribedSeconds).toBe(20);
    expect(result.segments.map((s) => s.start)).toEqual(Array.from({ length: 40 }, (_, i) => 5 + i));

    const again = await verbalTranscript(deps, { start: 12, end: 33 });
    expect(fetched).toHaveLength(5);
    expect(again.transcribedSeconds).toBe(0);
    expect(again.segments).toHaveLength(21);
  });

  it('keeps a sentence across the border of two windows whole, once', async () => {
    // One sentence at 28-33 s: heard whole it comes out right, cut it comes out as a fragment.
    const sentence = { start: 28, end: 33 };
    const { deps } = fakes();
    deps.transcriber = {
      async transcribe(samples, options) {
        const heard = { start: options.offsetSeconds, end: options.offsetSeconds + samples.length };
        const start = Math.max(sentence.start, heard.start);
        const end = Math.min(sentence.end, heard.end);
        const whole = start === sentence.start && end === sentence.end;
        const segments = end > start ? [{ start, end, text: whole ? 'plants release oxygen as a by-product' : 'plant really sucks' }] : [];
        return { segments, audioSeconds: samples.length, whisperSeconds: end - start, speechRegions: [], vadSeconds: 0, asrSeconds: 0 };
      },
    };
    await verbalTranscript(deps, { start: 0, end: 30 });
    await verbalTranscript(deps, { start: 30, end: 60 });
    expect(deps.cache.lookup({ start: 0, end: 60 })).toEqual([{ start: 28, end: 33, text: 'plants release oxygen as a by-product' }]);

    // The other way round: the later window first, then the earlier one.
    const reversed = fakes().deps;
    reversed.transcriber = deps.transcriber;
    await verbalTranscript(reversed, { start: 30, end: 60 });
    await verbalTranscript(reversed, { start: 0, end: 30 });
    expect(reversed.cache.lookup({ start: 0, end: 60 })).toEqual([{ start: 28, end: 33, text: 'plants release oxygen as a by-product' }]);
  });

  it('says so when there is no speech', async () => {
    const { deps } = fakes();
    deps.transcriber = {
      async transcribe() {
        return { segments: [], audioSeconds: 5, whisperSeconds: 0, speechRegions: [], vadSeconds: 0, asrSeconds: 0 };
      },
    };
    const result = await verbalTranscript(deps, { start: 3600, end: 3605 });
    expect(result.text).toBe('No speech between 01:00:00 and 01:00:05.');
  });

  it('stops with a cancelled error when aborted', async () => {
    const { deps } = fakes();
    const controller = new AbortController();
    controller.abort();
    const error = await verbalTranscript(deps, { start: 0, end: 5 }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(isCancelled(error)).toBe(true);
    expect(deps.cache.coveredSpans()).toEqual([]);
  });
});

describe('rendering', () => {
  it('rounds segment starts down and ends up', () => {
    expect(renderTranscript([{ start: 2.03, end: 5.03, text: 'the quick brown fox' }], { start: 0, end: 15 })).toBe(
      '[00:00:02-00:00:06] the quick brown fox',
    );
  });

  it('rounds the window down when there is no speech', () => {
    expect(renderTranscript([], { start: 0.6, end: 15.7 })).toBe('No speech between 00:00:00 and 00:00:15.');
  });
});
