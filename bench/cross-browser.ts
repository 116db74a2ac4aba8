/**
 * `npm run bench:engines [--minutes N]`: the same words in both browser engines? Runs the
 * transcription bench page (bench/transcribe.html) in Chromium (Playwright) and in Firefox ESR
 * (puppeteer-core over WebDriver BiDi) on the speech fixture and the first N minutes (default 2)
 * of the long speech file, and splits any difference between them into its parts:
 * - the resampler alone on a fixed signal (pure JS arithmetic in each engine's JIT);
 * - the decoded, resampled 16 kHz samples (each engine's AAC decoder behind WebCodecs);
 * - Whisper's numerics: each engine transcribes the *same* samples (Chromium's decode).
 * Prints one JSON line per comparison, with word error rates against the script.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright';
import puppeteer from 'puppeteer-core';
import { createServer } from 'vite';
import speech from '../tests/fixtures/speech.json';
import { makeLongSpeechFile, type LongSpeechReference } from './make-long-speech';
import { wordErrors } from './wer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium';

const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/lib/firefox-esr/firefox-esr';
const SPEECH_FIXTURE = 'tests/fixtures/media/speech.mp4';

interface Segment {
  text: string;
}

/** What the bench page offers (bench/transcribe-bench-page.ts), through either driver. */
interface BenchPage {
  setUp(file: string): Promise<unknown>;
  pcm(start: number, end: number): Promise<string>;
  transcribePcm(base64: string): Promise<Segment[]>;
  resampled(): Promise<string>;
  close(): Promise<unknown>;
}

async function chromiumPage(origin: string): Promise<{ page: BenchPage; close: () => Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  const page = await browser.newPage();
  await page.goto(`${origin}/bench/transcribe.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  return {
    page: {
      async setUp(file) {
        await page.setInputFiles('#file', file);
        await page.evaluate(() => window.transcribeBench.setUp());
      },
      pcm: (start, end) => page.evaluate(([s, e]) => window.transcribeBench.pcm(s, e), [start, end] as const),
      transcribePcm: (base64) => page.evaluate((b) => window.transcribeBench.transcribePcm(b), base64),
      resampled: () => page.evaluate(() => window.transcribeBench.resampled()),
      close: () => page.evaluate(() => window.transcribeBench.tearDown()),
    },
    close: () => browser.close(),
  };
}

async function firefoxPage(origin: string): Promise<{ page: BenchPage; close: () => Promise<void> }> {
  // A long transcription is one evaluate call: no protocol timeout.
  const browser = await puppeteer.launch({ browser: 'firefox', protocol: 'webDriverBiDi', executablePath: FIREFOX_PATH, headless: true, protocolTimeout: 0 });
  const page = await browser.newPage();
  await page.goto(`${origin}/bench/transcribe.html`);
  await page.waitForFunction(() => document.title === 'ready', { timeout: 120_000 });
  return {
    page: {
      async setUp(file) {
        const input = await page.$('input#file');
        if (!input) throw new Error('no file input');
        await input.uploadFile(file);
        await page.evaluate(() => window.transcribeBench.setUp());
      },
      pcm: (start, end) => page.evaluate((s, e) => window.transcribeBench.pcm(s, e), start, end),
      transcribePcm: (base64) => page.evaluate((b) => window.transcribeBench.transcribePcm(b), base64),
      resampled: () => page.evaluate(() => window.transcribeBench.resampled()),
      close: () => page.evaluate(() => window.transcribeBench.tearDown()),
    },
    close: () => browser.close(),
  };
}

function floats(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** How far `b` is from `a`: largest difference, and the signal-to-difference ratio in dB. */
function compare(a: Float32Array, b: Float32Array): { samples: number[]; identical: boolean; max_abs_diff: number; snr_db: number } {
  const n = Math.min(a.length, b.length);
  let maxDiff = 0;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    maxDiff = Math.max(maxDiff, Math.abs(d));
    signal += (a[i] ?? 0) ** 2;
    noise += d * d;
  }
  const identical = a.length === b.length && noise === 0;
  return { samples: [a.length, b.length], identical, max_abs_diff: Number(maxDiff.toPrecision(3)), snr_db: noise === 0 ? Infinity : round(10 * Math.log10(signal / noise)) };
}

/** The lag (in samples, within ±maxLag) at which `b` best matches `a`: a decoder's priming offset shows here. */
function bestLag(a: Float32Array, b: Float32Array, maxLag = 2400): number {
  const n = Math.min(a.length, b.length, 16_000 * 10);
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    let score = 0;
    for (let i = Math.max(0, -lag); i < n && i + lag < n; i += 4) score += (a[i] ?? 0) * (b[i + lag] ?? 0);
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

function text(segments: Segment[]): string {
  return segments.map((s) => s.text).join(' ').trim();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const minutesAt = args.indexOf('--minutes');
  const minutes = minutesAt >= 0 ? Number(args[minutesAt + 1]) : 2;
  const server = await createServer({ server: { host: '127.0.0.1', port: 0, hmr: false, watch: null }, logLevel: 'error' });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  const origin = `http://127.0.0.1:${address.port}`;

  const long = makeLongSpeechFile();
  const reference = JSON.parse(readFileSync(long.reference, 'utf8')) as LongSpeechReference;
  const seconds = minutes * 60;
  const inputs = [
    { name: 'speech_fixture', file: SPEECH_FIXTURE, seconds: speech.duration, reference: speech.phrases.map((p) => p.text).join(' ') },
    {
      name: `long_speech_${minutes}_min`,
      file: long.video,
      seconds,
      reference: reference.sentences.filter((s) => (s.start + s.end) / 2 < seconds).map((s) => s.text).join(' '),
    },
  ];

  const engines = { chromium: await chromiumPage(origin), firefox: await firefoxPage(origin) };
  try {
    const chromiumResampled = floats(await engines.chromium.page.resampled());
    const firefoxResampled = floats(await engines.firefox.page.resampled());
    console.log(JSON.stringify({ metric: 'engines_resampler', ...compare(chromiumResampled, firefoxResampled) }));

    for (const input of inputs) {
      const pcm: Record<string, string> = {};
      for (const [name, engine] of Object.entries(engines)) {
        await engine.page.setUp(input.file);
        pcm[name] = await engine.page.pcm(0, input.seconds);
      }
      const c = floats(pcm.chromium ?? '');
      const f = floats(pcm.firefox ?? '');
      console.log(JSON.stringify({ metric: `engines_decoded_pcm_${input.name}`, ...compare(c, f), best_lag_samples: bestLag(c, f) }));

      // Each engine on its own decode (what people get), then both on Chromium's decode.
      const own = {
        chromium: text(await engines.chromium.page.transcribePcm(pcm.chromium ?? '')),
        firefox: text(await engines.firefox.page.transcribePcm(pcm.firefox ?? '')),
      };
      const firefoxOnChromiumPcm = text(await engines.firefox.page.transcribePcm(pcm.chromium ?? ''));
      const chromiumOnFirefoxPcm = text(await engines.chromium.page.transcribePcm(pcm.firefox ?? ''));
      const wer = (t: string) => round(wordErrors(input.reference, t).wer, 3);
      console.log(
        JSON.stringify({
          metric: `engines_words_${input.name}`,
          reference_words: wordErrors(input.reference, '').referenceWords,
          wer_chromium: wer(own.chromium),
          wer_firefox: wer(own.firefox),
          wer_firefox_on_chromium_pcm: wer(firefoxOnChromiumPcm),
          wer_chromium_on_firefox_pcm: wer(chromiumOnFirefoxPcm),
          same_words_on_same_pcm: firefoxOnChromiumPcm === own.chromium && chromiumOnFirefoxPcm === own.firefox,
          chromium_vs_firefox_wer: round(wordErrors(own.chromium, own.firefox).wer, 3),
          ...(input.seconds <= 30 ? { chromium: own.chromium, firefox: own.firefox, firefox_on_chromium_pcm: firefoxOnChromiumPcm, chromium_on_firefox_pcm: chromiumOnFirefoxPcm } : {}),
        }),
      );
      for (const engine of Object.values(engines)) await engine.page.close();
    }
  } finally {
    await engines.chromium.close();
    await engines.firefox.close();
    await server.close();
  }
}

await main();
