/**
 * `npm run bench [media] [agent] [transcribe] [--minutes N]`: benchmarks in headless Chromium (all
 * parts by default). Prints one JSON line per metric, each with the baseline measured in the same
 * run and their ratio. Needs ffmpeg, espeak-ng and sox (to make the 1-hour test files, cached in
 * the OS temp folder) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium). `--minutes N`
 * transcribes only the first N minutes of the long speech file (the whole hour takes a while).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { createServer } from 'vite';
import { makeLongSpeechFile, type LongSpeechReference } from './make-long-speech';
import { errorsByBorder, wordErrors, type BorderErrors } from './wer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium';

const HOUR_FILE = join(tmpdir(), 'sage-bench', 'hour-640x360-k10.mp4');
const SKIM_FRAMES = 128;
/** Seconds at the start of the long speech file transcribed with and without VAD, for the baseline. */
const BASELINE_SECONDS = 120;
/** Stretch transcribed again in windows of BORDER_WINDOW_SECONDS, the size the agent asks for. */
const BORDER_STRETCH_SECONDS = 300;
const BORDER_WINDOW_SECONDS = 30;

function makeHourFile(): void {
  if (existsSync(HOUR_FILE)) return;
  mkdirSync(join(tmpdir(), 'sage-bench'), { recursive: true });
  console.error(`making ${HOUR_FILE} (1 h, 640x360 H.264, key frame every 10 s, AAC); this takes a few minutes once`);
  const partial = `${HOUR_FILE}.partial.mp4`;
  execFileSync('ffmpeg', [
    '-y', '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '3600',
    '-c:v', 'libx264', '-preset', 'superfast', '-pix_fmt', 'yuv420p',
    '-g', '250', '-keyint_min', '250', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '96k', '-ac', '2',
    '-movflags', '+faststart', partial,
  ], { stdio: 'inherit' });
  execFileSync('mv', [partial, HOUR_FILE]);
}

/** Resident memory of every Chromium process, summed, in MiB (Linux /proc). */
function chromiumRssMiB(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  let kib = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // Gone.
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return kib / 1024;
}

function report(metric: string, values: Record<string, unknown>): void {
  console.log(JSON.stringify({ metric, ...values }));
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** Media worker on the 1-hour file: probe, skims against <video> seeking, audio memory. */
async function mediaBench(browser: Browser, origin: string, browserPid: number): Promise<void> {
  makeHourFile();
  const page = await browser.newPage();
  await page.goto(`${origin}/bench/index.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  await page.setInputFiles('#file', HOUR_FILE);

  const opened = await page.evaluate(() => window.mediaBench.open());
  report('probe_1h', { ms: round(opened.ms), duration_s: opened.durationSeconds, file_MB: round(opened.fileSize / 2 ** 20) });

  // Warm both paths once (decoder start-up, JIT) so the timed runs compare steady states.
  await page.evaluate(() => window.mediaBench.skim('fast', 4));
  await page.evaluate(() => window.mediaBench.elementSeek(4));

  const element = await page.evaluate((n) => window.mediaBench.elementSeek(n), SKIM_FRAMES);
  const fast = await page.evaluate((n) => window.mediaBench.skim('fast', n), SKIM_FRAMES);
  const exact = await page.evaluate((n) => window.mediaBench.skim('exact', n), SKIM_FRAMES);
  // Per stage, so a regression shows where it is: transfer is the page's total less the worker's stages.
  const stages = (skim: typeof fast) => ({
    lookup_ms: round(skim.stages.lookupMs), decode_ms: round(skim.stages.decodeMs), render_ms: round(skim.stages.renderMs),
    transfer_ms: round(skim.ms - skim.stages.lookupMs - skim.stages.decodeMs - skim.stages.renderMs),
  });
  report('skim_fast_128', {
    ms: round(fast.ms), frames: fast.frames, ...stages(fast), baseline_element_seek_ms: round(element.ms),
    speedup: round(element.ms / fast.ms, 2), goal: 'speedup >= 8',
  });
  report('skim_exact_128', {
    ms: round(exact.ms), frames: exact.frames, ...stages(exact), baseline_element_seek_ms: round(element.ms),
    speedup: round(element.ms / exact.ms, 2), goal: 'speedup >= 1',
  });

  // Memory while streaming audio: a 6-minute and a 60-minute span must peak alike if nothing
  // accumulates; growth proportional to the span would make the second ten times the first.
  const growth: number[] = [];
  for (const seconds of [360, 3600]) {
    const before = chromiumRssMiB(browserPid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, chromiumRssMiB(browserPid))), 200);
    const audio = await page.evaluate((s) => window.mediaBench.audio(s), seconds);
    clearInterval(sampler);
    const audioSeconds = audio.samples / 16_000;
    growth.push(peak - before);
    report(`audio_${seconds / 60}min_16k_mono`, {
      ms: round(audio.ms), audio_s: round(audioSeconds), realtime_factor: round(audioSeconds / (audio.ms / 1000)),
      rss_before_MiB: round(before), rss_peak_MiB: round(peak), peak_growth_MiB: round(peak - before),
      pcm_16k_MiB: round((audioSeconds * 16_000 * 4) / 2 ** 20),
    });
  }
  report('audio_memory_scaling', {
    growth_6min_MiB: round(growth[0] ?? 0), growth_60min_MiB: round(growth[1] ?? 0),
    ratio_60_to_6: round((growth[1] ?? 0) / Math.max(1, growth[0] ?? 0), 2),
    goal: 'ratio near 1 (memory does not grow with span length; 10 would mean proportional)',
  });
  await page.close();
}

/** Whisper speed and the agent's time outside model calls, with the models available here. */
async function agentBench(browser: Browser, origin: string): Promise<void> {
  const page = await browser.newPage();
  page.on('console', (message) => console.error(`[agent page] ${message.text()}`));
  await page.goto(`${origin}/bench/agent.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  const whisper = await page.evaluate(() => window.agentBench.whisperSpeed());
  const speed = (r: { ms: number; audioSeconds: number }) => r.audioSeconds / (r.ms / 1000);
  report('whisper_base_wasm', {
    audio_s: round(whisper.vad.audioSeconds), vad_ms: round(whisper.vad.ms), no_vad_ms: round(whisper.noVad.ms),
    audio_s_per_s_vad: round(speed(whisper.vad), 2), audio_s_per_s_no_vad_baseline: round(speed(whisper.noVad), 2),
    speedup_from_vad: round(whisper.noVad.ms / whisper.vad.ms, 2),
  });
  const threads = await page.evaluate(() => window.agentBench.whisperThreads());
  report('whisper_base_wasm_threads', {
    cross_origin_isolated: threads.isolated, cores: threads.cores, threads: threads.many.threads,
    audio_s_per_s: round(speed(threads.many), 2), audio_s_per_s_one_thread_baseline: round(speed(threads.one), 2),
    speedup: round(threads.one.ms / threads.many.ms, 2),
  });
  const agent = await page.evaluate(() => window.agentBench.agentOverhead());
  const outsideMs = agent.totalMs - agent.modelMs;
  report('agent_overhead_per_step', {
    steps: agent.steps, outcome: agent.outcome, tools: agent.tools.join(' '),
    total_ms: round(agent.totalMs), model_ms: round(agent.modelMs),
    outside_models_ms_per_step: round(outsideMs / agent.steps), share_of_step: round(outsideMs / agent.totalMs, 3),
    outside_models_ms_by_step: agent.outsideByStep.map((ms) => round(ms)),
    of_which_media_reads_ms_by_step: agent.mediaByStep.map((ms) => round(ms)),
    goal: 'share < 0.05 (tiny test VLM: model calls here are far shorter than a real model\'s)',
  });
  const vision = await page.evaluate(() => window.agentBench.stage1Vision());
  report('stage1_visual_tokens_128_frames', {
    video_tokens: vision.video.tokens, images_tokens_baseline: vision.images.tokens,
    video_encoder_s: round(vision.video.seconds, 2), images_encoder_s_baseline: round(vision.images.seconds, 2),
    token_ratio: round(vision.images.tokens / vision.video.tokens, 2), encoder_time_ratio: round(vision.images.seconds / vision.video.seconds, 2),
    note: 'tiny model vision tower (real patch, merge and window layout); token counts are the real ones for any Qwen2.5-VL',
  });
  await page.close();
}

/** Words of the reference sentences that lie mostly before `seconds`, in order. */
/** Multiples of `every` inside (0, seconds). */
function bordersEvery(every: number, seconds: number): number[] {
  return Array.from({ length: Math.max(0, Math.ceil(seconds / every) - 1) }, (_, i) => (i + 1) * every);
}

/** WER of the sentences that cross a window border against the rest, as report() values. */
function borderFigures(errors: BorderErrors): Record<string, number> {
  return {
    border_sentences: errors.near.sentences, wer_across_borders: round(errors.near.wer, 3), words_across_borders: errors.near.referenceWords,
    other_sentences: errors.elsewhere.sentences, wer_elsewhere_baseline: round(errors.elsewhere.wer, 3), words_elsewhere: errors.elsewhere.referenceWords,
  };
}

function referenceText(reference: LongSpeechReference, seconds: number): string {
  return reference.sentences.filter((s) => (s.start + s.end) / 2 < seconds).map((s) => s.text).join(' ');
}

/**
 * "Transcribe all" on the long speech file, as the workspace runs it: speed, memory of every
 * Chromium process, word error rate against the script, and that a reload finds it all kept.
 */
async function transcribeBench(browser: Browser, origin: string, browserPid: number, minutes: number): Promise<void> {
  const { video, reference: referencePath } = makeLongSpeechFile();
  const reference = JSON.parse(readFileSync(referencePath, 'utf8')) as LongSpeechReference;
  const page = await browser.newPage();
  const windowRss: number[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (!text.startsWith('window ')) return console.error(`[transcribe page] ${text}`);
    const window = JSON.parse(text.slice('window '.length)) as { start: number; end: number; ms: number };
    windowRss.push(chromiumRssMiB(browserPid));
    console.error(`transcribed ${window.start}-${window.end} s in ${round(window.ms / 1000)} s, Chromium RSS ${round(windowRss.at(-1) ?? 0)} MiB`);
  });
  await page.goto(`${origin}/bench/transcribe.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  await page.setInputFiles('#file', video);
  const setUp = await page.evaluate(() => window.transcribeBench.setUp());
  const before = chromiumRssMiB(browserPid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, chromiumRssMiB(browserPid))), 1000);
  const run = await page.evaluate((s) => window.transcribeBench.transcribeAll(s), minutes * 60);
  clearInterval(sampler);
  const heard = run.segments.map((s) => s.text).join(' ');
  const errors = wordErrors(referenceText(reference, run.audioSeconds), heard);

  const allSentences = reference.sentences.filter((s) => s.end <= run.audioSeconds);
  const allBorders = errorsByBorder(allSentences, run.segments, bordersEvery(run.windowSeconds, run.audioSeconds));

  // The start again in the agent's window size: many more sentences cross a border.
  const stretch = Math.min(BORDER_STRETCH_SECONDS, run.audioSeconds);
  const windowed = await page.evaluate(([s, w]) => window.transcribeBench.transcribeInWindows(s, w), [stretch, BORDER_WINDOW_SECONDS] as const);
  const stretchSentences = reference.sentences.filter((s) => s.end <= stretch);
  const windowedBorders = errorsByBorder(stretchSentences, windowed.segments, bordersEvery(BORDER_WINDOW_SECONDS, stretch));

  // Baseline: the start of the file with VAD and without (every sample through Whisper).
  const baselineSeconds = Math.min(BASELINE_SECONDS, run.audioSeconds);
  const baseline = await page.evaluate((s) => window.transcribeBench.vadVersusNone(s), baselineSeconds);
  const baselineReference = referenceText(reference, baselineSeconds);
  const baselineWer = (segments: Array<{ text: string }>) => round(wordErrors(baselineReference, segments.map((s) => s.text).join(' ')).wer, 3);
  await page.evaluate(() => window.transcribeBench.tearDown());

  // A reload, as a person's would: the same file gives back everything transcribed.
  await page.reload();
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  await page.setInputFiles('#file', video);
  const keptSeconds = await page.evaluate(() => window.transcribeBench.keptSeconds());

  report('transcribe_all_long_speech', {
    audio_s: round(run.audioSeconds), minutes_of_file: round(run.audioSeconds / 60), wall_s: round(run.ms / 1000),
    audio_s_per_s: round(run.audioSeconds / (run.ms / 1000), 2), whisper_audio_s: round(run.whisperSeconds),
    speech_in_script_s: round(reference.sentences.filter((s) => s.end <= run.audioSeconds).reduce((sum, s) => sum + s.end - s.start, 0)),
    model_load_s: round(setUp.loadMs / 1000),
    wer: round(errors.wer, 3), reference_words: errors.referenceWords,
    substitutions: errors.substitutions, deletions: errors.deletions, insertions: errors.insertions,
    rss_before_MiB: round(before), rss_peak_MiB: round(peak), peak_growth_MiB: round(peak - before),
    rss_after_first_window_MiB: round(windowRss[0] ?? 0), rss_after_last_window_MiB: round(windowRss.at(-1) ?? 0),
    kept_after_reload_s: round(keptSeconds),
  });
  report('transcribe_window_borders', {
    transcribe_all: { window_s: run.windowSeconds, audio_s: round(run.audioSeconds), ...borderFigures(allBorders) },
    agent_windows: { window_s: BORDER_WINDOW_SECONDS, audio_s: round(stretch), wall_s: round(windowed.ms / 1000), ...borderFigures(windowedBorders) },
  });
  report('transcribe_vad_vs_none', {
    audio_s: round(baselineSeconds), whisper_audio_s_vad: round(baseline.vad.whisperSeconds),
    audio_s_per_s_vad: round(baselineSeconds / (baseline.vad.ms / 1000), 2),
    audio_s_per_s_no_vad_baseline: round(baselineSeconds / (baseline.noVad.ms / 1000), 2),
    speedup_from_vad: round(baseline.noVad.ms / baseline.vad.ms, 2),
    wer_vad: baselineWer(baseline.vad.segments), wer_no_vad_baseline: baselineWer(baseline.noVad.segments),
  });
  await page.close();
}

async function main(): Promise<void> {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) throw new Error('ffmpeg is needed: apt-get install -y ffmpeg');
  const args = process.argv.slice(2);
  const minutesAt = args.indexOf('--minutes');
  const minutes = minutesAt >= 0 ? Number(args[minutesAt + 1]) : 60;
  if (!(minutes > 0)) throw new Error('--minutes takes a number of minutes, e.g. --minutes 10');
  const named = args.filter((_, i) => minutesAt < 0 || (i !== minutesAt && i !== minutesAt + 1));
  const parts = new Set(named.length > 0 ? named : ['media', 'agent', 'transcribe']);
  // No file watching or hot reload: an edit elsewhere in the tree must not reload a page mid-run.
  const server = await createServer({
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    logLevel: 'error',
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  const origin = `http://127.0.0.1:${address.port}`;
  // A browser server, so its process id is known (other Chromiums on the machine are not ours).
  const browserServer = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
  });
  const browserPid = browserServer.process().pid;
  if (browserPid === undefined) throw new Error('Chromium started without a process id');
  const browser = await chromium.connect(browserServer.wsEndpoint());
  try {
    if (parts.has('media')) await mediaBench(browser, origin, browserPid);
    if (parts.has('agent')) await agentBench(browser, origin);
    if (parts.has('transcribe')) await transcribeBench(browser, origin, browserPid, minutes);
  } finally {
    await browser.close();
    await browserServer.close();
    await server.close();
  }
}

await main();
