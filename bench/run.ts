/**
 * `npm run bench [media] [agent] [transcribe] [long] [soak] [--minutes N] [--media-dir DIR]`:
 * benchmarks in headless Chromium (all parts by default). Prints one JSON line per metric, each
 * with the baseline measured in the same run and their ratio. Needs ffmpeg, espeak-ng and sox (to
 * make the long test files, cached in the OS temp folder or `--media-dir`) and Chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium). `--minutes N` transcribes only the first N minutes
 * of the long speech file (the whole hour takes a while). `long` needs about 5 GiB of disk once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright';
import { chromiumRssMiB, taggedRootPid } from './chromium-processes';
import { DEFAULT_LONG_MEDIA_DIR, makeOver4GiBFile, makeSixMinuteFile, makeThreeHourFile } from './make-long-files';
import { makeLongSpeechFile, type LongSpeechReference } from './make-long-speech';
import type { PageMemory } from './page-memory';
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

/** What the page and its workers hold after garbage collection, and every Chromium process's RSS. */
interface MemorySnapshot extends PageMemory {
  /** Each of our workers' V8 heap in use and its ArrayBuffers' bytes (DevTools' Runtime.getHeapUsage), by worker name. */
  workerHeapMiB: Record<string, { js: number; arrayBuffers: number }>;
  rssMiB: number;
}

/** `work`, or `fallback` once `ms` have passed without it settling. */
function within<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const NOT_MEASURED: PageMemory = { pageHeapMiB: null, measuredMiB: null, measuredPageMiB: null, workersMiB: null };
/** Our workers' script URLs (vite serves them from workers/); ONNX Runtime's thread workers are not ours. */
const OUR_WORKER = /\/workers\/([\w-]+)\.worker\./;

interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

/**
 * Runtime.getHeapUsage in every one of our workers, through the browser's DevTools session (a
 * worker's inspector answers even while its thread is busy, unlike a message to it).
 */
async function workerHeaps(cdp: CDPSession): Promise<MemorySnapshot['workerHeapMiB']> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const heaps: MemorySnapshot['workerHeapMiB'] = {};
  for (const target of targetInfos) {
    const name = target.type === 'worker' ? OUR_WORKER.exec(target.url)?.[1] : undefined;
    if (!name) continue;
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    const usage = await within(
      10_000,
      new Promise<HeapUsage | null>((resolve) => {
        const onMessage = (event: { sessionId: string; message: string }) => {
          const message = JSON.parse(event.message) as { id?: number; result?: HeapUsage };
          if (event.sessionId !== sessionId || message.id !== 1) return;
          cdp.off('Target.receivedMessageFromTarget', onMessage);
          resolve(message.result ?? null);
        };
        cdp.on('Target.receivedMessageFromTarget', onMessage);
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) });
      }),
      null,
    );
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    if (!usage) continue;
    const entry = (heaps[name] ??= { js: 0, arrayBuffers: 0 });
    entry.js += usage.usedSize / 2 ** 20;
    entry.arrayBuffers += (usage.backingStorageSize ?? 0) / 2 ** 20;
  }
  return heaps;
}

/**
 * Page and worker memory, each collected first (Chromium runs with --expose-gc) so what is
 * measured is what is kept. Only our own workers are asked to collect: ONNX Runtime's thread-pool
 * workers sit in Atomics.wait and never run what is sent to them, which also keeps the page's
 * measureUserAgentSpecificMemory from coming back once a model runs threaded; then (after 10 s)
 * only DevTools' per-worker heaps and RSS are reported.
 */
async function memorySnapshot(page: Page, cdp: CDPSession, browserPid: number): Promise<MemorySnapshot> {
  const collect = () => (globalThis as { gc?: () => void }).gc?.();
  const ours = page.workers().filter((worker) => OUR_WORKER.test(worker.url()));
  await Promise.all(ours.map((worker) => within(5000, worker.evaluate(collect).catch(() => {}), undefined)));
  await page.evaluate(collect);
  const memory = await within(10_000, page.evaluate(() => (window.longBench ?? window.soakBench).memory()), NOT_MEASURED);
  const pageHeapMiB = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : null));
  return { ...memory, pageHeapMiB, workerHeapMiB: await workerHeaps(cdp), rssMiB: chromiumRssMiB(browserPid) };
}

/** A snapshot as report fields, rounded, each named with `prefix`. */
function memoryFields(prefix: string, m: MemorySnapshot): Record<string, unknown> {
  return {
    [`${prefix}_page_heap_MiB`]: m.pageHeapMiB === null ? null : round(m.pageHeapMiB),
    [`${prefix}_measured_page_MiB`]: m.measuredPageMiB === null ? null : round(m.measuredPageMiB),
    [`${prefix}_workers_measured_MiB`]: m.workersMiB ? Object.fromEntries(Object.entries(m.workersMiB).map(([name, mib]) => [name, round(mib)])) : null,
    [`${prefix}_worker_heaps_MiB`]: Object.fromEntries(Object.entries(m.workerHeapMiB).map(([name, heap]) => [name, { js: round(heap.js), array_buffers: round(heap.arrayBuffers) }])),
    [`${prefix}_rss_MiB`]: round(m.rssMiB),
  };
}

/** Samples the RSS of every Chromium process until stopped; returns the peak. */
function rssPeak(browserPid: number): () => number {
  let peak = chromiumRssMiB(browserPid);
  const sampler = setInterval(() => (peak = Math.max(peak, chromiumRssMiB(browserPid))), 250);
  return () => {
    clearInterval(sampler);
    return Math.max(peak, chromiumRssMiB(browserPid));
  };
}

/** Frames of the long bench's like-for-like skim: the 6-minute file has 36 key frames. */
const LONG_SKIM_FRAMES = 32;
/** Seconds of audio Whisper hears per file in the long bench, ending 30 s before the file's end. */
const LONG_WINDOW_SECONDS = 30;

interface LongRun {
  openMs: number;
  skimMs: number;
  skimmed: MemorySnapshot;
  transcribed: MemorySnapshot;
  answered: MemorySnapshot;
  rssPeakGrowthMiB: number;
}

/** What the long bench asks the tiny VLM about each file, in the workspace. */
const LONG_QUESTION = 'What does the speaker say near the end, and what is on screen?';

/**
 * One long file in a fresh page: open, skim, seek near the end, transcribe a window near the end;
 * then the file opened in the workspace and one question asked with the tiny VLM.
 */
async function longFile(browser: Browser, origin: string, browserPid: number, label: string, path: string): Promise<LongRun> {
  // A context of its own: its renderer starts fresh, so nothing of the previous file is counted.
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await browser.newBrowserCDPSession();
  page.on('console', (message) => console.error(`[long page] ${message.text()}`));
  await page.goto(`${origin}/bench/long.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  await page.setInputFiles('#file', path);
  const step = (what: string) => console.error(`${new Date().toISOString().slice(11, 19)} long ${label}: ${what}`);
  step('measuring idle memory');
  const idle = await memorySnapshot(page, cdp, browserPid);
  step('opening');
  const stopPeak = rssPeak(browserPid);
  const opened = await page.evaluate(() => window.longBench.open());
  const afterOpen = await memorySnapshot(page, cdp, browserPid);
  step(`opened in ${round(opened.ms)} ms; skimming`);
  // The same number of frames from every file (the 6-minute one has 36 key frames), so memory
  // after it compares like with like; then the skim the app itself asks for at this length.
  const skim = await page.evaluate((n) => window.longBench.skim(n), LONG_SKIM_FRAMES);
  const skimmed = await memorySnapshot(page, cdp, browserPid);
  step(`skimmed ${skim.frames} frames in ${round(skim.ms)} ms; skimming as the app does`);
  const appSkim = await page.evaluate(() => window.longBench.skim());
  step(`skimmed ${appSkim.frames} frames in ${round(appSkim.ms)} ms; seeking`);
  const seekTo = opened.durationSeconds - 5;
  const seek = await page.evaluate((t) => window.longBench.seek(t), seekTo);
  // The same place in the repeated 6-minute segment for the 6-minute and the 3-hour file.
  const windowStart = Math.floor(opened.durationSeconds) - LONG_WINDOW_SECONDS - 30;
  step('transcribing');
  const heard = await page.evaluate(([start, seconds]) => window.longBench.transcribe(start, seconds), [windowStart, LONG_WINDOW_SECONDS] as const);
  step(`transcribed ${heard.audioSeconds} s in ${round(heard.transcribeMs)} ms; measuring`);
  const transcribed = await memorySnapshot(page, cdp, browserPid);
  const peak = stopPeak();
  // Then the whole app on the same file: opened and skimmed in the workspace, one question asked.
  await page.evaluate(() => window.longBench.release());
  step('opening in the workspace and asking one question (tiny VLM, WASM)');
  const asked = await page.evaluate((q) => window.longBench.ask(q), LONG_QUESTION);
  if (asked.alert) console.error(`long ${label}: ${asked.alert}`);
  step(`asked: ${asked.outcome} in ${round(asked.askMs)} ms; measuring`);
  const answered = await memorySnapshot(page, cdp, browserPid);
  await page.evaluate(() => window.longBench.tearDown());
  await context.close();
  await cdp.detach();
  report(`long_${label}`, {
    file_GiB: round(opened.fileSize / 2 ** 30, 2), duration_s: round(opened.durationSeconds),
    open_ms: round(opened.ms), [`skim_${LONG_SKIM_FRAMES}_ms`]: round(skim.ms), [`skim_${LONG_SKIM_FRAMES}_frames`]: skim.frames,
    app_skim_ms: round(appSkim.ms), app_skim_frames: appSkim.frames, live_frames_after_skims: appSkim.liveFrames,
    seek_to_s: round(seekTo), seek_ms: round(seek.ms), seek_landed_s: round(seek.timestamp, 2),
    window_s: `${windowStart}-${windowStart + LONG_WINDOW_SECONDS}`, audio_decode_ms: round(heard.decodeMs),
    whisper_base_audio_s_per_s: round(heard.audioSeconds / (heard.transcribeMs / 1000), 2), words_heard: heard.words,
    ...memoryFields('idle', idle), ...memoryFields('opened', afterOpen), ...memoryFields('skimmed', skimmed), ...memoryFields('transcribed', transcribed),
    rss_peak_MiB: round(peak), rss_peak_growth_MiB: round(peak - idle.rssMiB),
    ask_open_to_ready_s: round(asked.readyMs / 1000), ask_ready_status: asked.status, ask_s: round(asked.askMs / 1000),
    ask_outcome: asked.outcome, ask_alert: asked.alert, live_frames_after_answer: asked.liveFrames, ...memoryFields('answered', answered),
  });
  return { openMs: opened.ms, skimMs: skim.ms, skimmed, transcribed, answered, rssPeakGrowthMiB: peak - idle.rssMiB };
}

/**
 * The 6-minute file against the 3-hour one (30 times longer, the same content) and a file over
 * 4 GiB: open, skim, seek and transcription, with memory after each. Memory must not follow length.
 */
async function longBench(browser: Browser, origin: string, browserPid: number, mediaDir: string): Promise<void> {
  const files = { '6min': makeSixMinuteFile(mediaDir), '3h': makeThreeHourFile(mediaDir), over_4GiB: makeOver4GiBFile(mediaDir) };
  const runs: Record<string, LongRun> = {};
  for (const [label, path] of Object.entries(files)) runs[label] = await longFile(browser, origin, browserPid, label, path);
  const short = runs['6min'] as LongRun;
  const long = runs['3h'] as LongRun;
  const worker = (m: MemorySnapshot, name: string) => (m.workerHeapMiB[name]?.js ?? 0) + (m.workerHeapMiB[name]?.arrayBuffers ?? 0);
  const ratio = (a: number, b: number) => round(a / Math.max(b, 1e-9), 2);
  report('long_3h_vs_6min', {
    length_ratio: 30,
    open_ms_ratio: ratio(long.openMs, short.openMs), [`skim_${LONG_SKIM_FRAMES}_ms_ratio`]: ratio(long.skimMs, short.skimMs),
    media_worker_heap_MiB_after_skim_3h: round(worker(long.skimmed, 'media')), media_worker_heap_MiB_after_skim_6min_baseline: round(worker(short.skimmed, 'media')),
    media_worker_ratio: ratio(worker(long.skimmed, 'media'), worker(short.skimmed, 'media')),
    whisper_worker_heap_ratio: ratio(worker(long.transcribed, 'whisper'), worker(short.transcribed, 'whisper')),
    rss_after_transcribing_MiB_3h: round(long.transcribed.rssMiB), rss_after_transcribing_MiB_6min_baseline: round(short.transcribed.rssMiB),
    page_heap_ratio: ratio(long.transcribed.pageHeapMiB ?? 0, short.transcribed.pageHeapMiB ?? 0),
    rss_peak_growth_MiB_3h: round(long.rssPeakGrowthMiB), rss_peak_growth_MiB_6min_baseline: round(short.rssPeakGrowthMiB),
    rss_peak_growth_ratio: ratio(long.rssPeakGrowthMiB, short.rssPeakGrowthMiB),
    rss_after_answer_MiB_3h: round(long.answered.rssMiB), rss_after_answer_MiB_6min_baseline: round(short.answered.rssMiB),
    media_worker_heap_ratio_after_answer: ratio(worker(long.answered, 'media'), worker(short.answered, 'media')),
    vlm_worker_heap_ratio_after_answer: ratio(worker(long.answered, 'vlm'), worker(short.answered, 'vlm')),
    goal: 'memory ratios near 1 (30 would be proportional to length); index of the 3-hour file is the only part that may grow',
  });
}

/** Questions the soak bench asks in a row. */
const SOAK_QUESTIONS = 50;
/** Rounds before memory is expected to have settled (models loaded, caches warm). */
const SOAK_WARM_UP = 5;
/** Allowed growth per question after warm-up, in MiB, of the page heap and of each worker; over it, the bench fails. */
const SOAK_BOUND_MIB_PER_QUESTION = 0.5;
/** Allowed growth per question of the RSS of all Chromium processes (allocators return memory lazily). */
const SOAK_RSS_BOUND_MIB_PER_QUESTION = 2;

/**
 * Growth per step of `values` against their index: the Theil–Sen estimate (the median of the
 * slopes between every pair of samples). A least-squares line is pulled far by a few readings:
 * DevTools' ArrayBuffer figure for a worker running ONNX Runtime reads about 230 MiB more in some
 * rounds and is back the next (10 of 50 rounds in one run), which a least-squares fit over 45
 * rounds turned into 2.4 MiB a question with no growth at all. A leak moves most pairs, so the
 * median still sees it.
 */
function slope(values: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) slopes.push((values[j]! - values[i]!) / (j - i));
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const middle = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[middle]! : (slopes[middle - 1]! + slopes[middle]!) / 2;
}

/**
 * 50 questions in a row with the tiny VLM, "Transcribe all" between them: page heap, each worker's
 * memory, RSS and the media worker's open frames per round, their growth per question after the
 * first five (Theil–Sen slope), against a bound; then speech and VLM model switches, each of
 * which must free the model it replaces.
 */
async function soakBench(browser: Browser, origin: string, browserPid: number, questions: number): Promise<void> {
  const page = await browser.newPage();
  const cdp = await browser.newBrowserCDPSession();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[soak page] ${message.text()}`);
  });
  await page.goto(`${origin}/bench/soak.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
  await page.evaluate(() => window.soakBench.setUp());
  const rounds: Array<MemorySnapshot & { liveFrames: number; askMs: number; transcribeMs: number }> = [];
  const outcomes = new Map<string, number>();
  const started = Date.now();
  for (let i = 1; i <= questions; i++) {
    const round_ = await page.evaluate((n) => window.soakBench.round(n), i);
    if (round_.alert) console.error(`round ${i}: ${round_.alert}`);
    outcomes.set(round_.outcome, (outcomes.get(round_.outcome) ?? 0) + 1);
    const memory = await memorySnapshot(page, cdp, browserPid);
    rounds.push({ ...memory, liveFrames: round_.liveFrames, askMs: round_.askMs, transcribeMs: round_.transcribeMs });
    // Every round as it ends, so a run cut short still leaves its figures.
    report('soak_round', { round: i, outcome: round_.outcome, ask_s: round(round_.askMs / 1000), transcribe_s: round(round_.transcribeMs / 1000), live_frames: round_.liveFrames, ...memoryFields('after', memory) });
    console.error(
      `round ${i}: ${round_.outcome}, ask ${round(round_.askMs / 1000)} s, transcribe ${round(round_.transcribeMs / 1000)} s, ` +
        `heap ${round(memory.pageHeapMiB ?? 0)} MiB, workers ${JSON.stringify(memoryFields('', memory)._worker_heaps_MiB)}, RSS ${round(memory.rssMiB)} MiB, live frames ${round_.liveFrames}`,
    );
  }
  const settled = rounds.slice(SOAK_WARM_UP);
  const workerNames = [...new Set(settled.flatMap((r) => Object.keys(r.workerHeapMiB)))].sort();
  const perQuestion: Record<string, number> = {
    page_heap: slope(settled.map((r) => r.pageHeapMiB ?? 0)),
    ...Object.fromEntries(workerNames.flatMap((name) => [
      [`${name}_worker_js_heap`, slope(settled.map((r) => r.workerHeapMiB[name]?.js ?? 0))],
      [`${name}_worker_array_buffers`, slope(settled.map((r) => r.workerHeapMiB[name]?.arrayBuffers ?? 0))],
    ])),
  };
  const rssPerQuestion = slope(settled.map((r) => r.rssMiB));
  const liveFrames = Math.max(...rounds.map((r) => r.liveFrames));
  const over = Object.entries(perQuestion).filter(([, mib]) => mib > SOAK_BOUND_MIB_PER_QUESTION).map(([name]) => name);
  if (rssPerQuestion > SOAK_RSS_BOUND_MIB_PER_QUESTION) over.push('rss');
  if (liveFrames !== 0) over.push('live_frames');
  const first = rounds[SOAK_WARM_UP - 1] as MemorySnapshot;
  const last = rounds.at(-1) as MemorySnapshot;
  report('soak_questions', {
    questions, minutes: round((Date.now() - started) / 60_000), outcomes: Object.fromEntries(outcomes),
    ask_s_mean: round(rounds.reduce((a, r) => a + r.askMs, 0) / rounds.length / 1000, 2),
    transcribe_all_s_mean: round(rounds.reduce((a, r) => a + r.transcribeMs, 0) / rounds.length / 1000, 2),
    growth_MiB_per_question_after_5: Object.fromEntries(Object.entries(perQuestion).map(([name, mib]) => [name, round(mib, 3)])),
    rss_growth_MiB_per_question_after_5: round(rssPerQuestion, 3),
    ...memoryFields(`after_q${SOAK_WARM_UP}`, first), ...memoryFields(`after_q${questions}`, last),
    max_live_frames_between_questions: liveFrames,
    bound: `${SOAK_BOUND_MIB_PER_QUESTION} MiB/question (heap, each worker), ${SOAK_RSS_BOUND_MIB_PER_QUESTION} MiB/question (RSS), 0 live frames`,
    within_bound: over.length === 0, over_bound: over,
  });

  // Model switches: each must leave one worker of its kind, holding only the new model.
  const before = await memorySnapshot(page, cdp, browserPid);
  const switches: Array<Record<string, unknown>> = [];
  for (const speech of ['whisper-base', 'whisper-tiny']) {
    const run = await page.evaluate((id) => window.soakBench.switchSpeech(id), speech);
    const memory = await memorySnapshot(page, cdp, browserPid);
    switches.push({ to: run.speechId, whisper_worker_js_MiB: round(memory.workerHeapMiB.whisper?.js ?? 0), rss_MiB: round(memory.rssMiB), workers: page.workers().length });
  }
  for (const source of ['./models/tiny/tiny-random-qwen2_5_vl/']) {
    const run = await page.evaluate((s) => window.soakBench.switchVlmSource(s), source);
    const memory = await memorySnapshot(page, cdp, browserPid);
    switches.push({ to: `vlm from ${source}`, vlm: run.vlm, vlm_worker_js_MiB: round(memory.workerHeapMiB.vlm?.js ?? 0), rss_MiB: round(memory.rssMiB), workers: page.workers().length });
  }
  const after = await memorySnapshot(page, cdp, browserPid);
  const workersBefore = Object.keys(before.workerHeapMiB).length;
  report('soak_model_switches', {
    switches, ...memoryFields('before', before), ...memoryFields('after', after),
    rss_growth_MiB: round(after.rssMiB - before.rssMiB), worker_count_before: workersBefore, worker_count_after: Object.keys(after.workerHeapMiB).length,
    goal: 'back on whisper-tiny and the same VLM, memory as before the switches (a model kept alive would add its size: whisper-base ~150 MiB, whisper-tiny ~70 MiB)',
  });
  await page.evaluate(() => window.soakBench.tearDown());
  await page.close();
  await cdp.detach();
  if (over.length > 0) throw new Error(`soak: memory grew past the bound per question: ${over.join(', ')}`);
}

async function main(): Promise<void> {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) throw new Error('ffmpeg is needed: apt-get install -y ffmpeg');
  const args = process.argv.slice(2);
  const minutesAt = args.indexOf('--minutes');
  const minutes = minutesAt >= 0 ? Number(args[minutesAt + 1]) : 60;
  if (!(minutes > 0)) throw new Error('--minutes takes a number of minutes, e.g. --minutes 10');
  const dirAt = args.indexOf('--media-dir');
  const mediaDir = dirAt >= 0 ? String(args[dirAt + 1]) : DEFAULT_LONG_MEDIA_DIR;
  const questionsAt = args.indexOf('--questions');
  const questions = questionsAt >= 0 ? Number(args[questionsAt + 1]) : SOAK_QUESTIONS;
  if (!(questions > SOAK_WARM_UP + 1)) throw new Error(`--questions takes a number over ${SOAK_WARM_UP + 1}`);
  const valued = new Set([minutesAt, dirAt, questionsAt].filter((at) => at >= 0).flatMap((at) => [at, at + 1]));
  const named = args.filter((_, i) => !valued.has(i));
  const parts = new Set(named.length > 0 ? named : ['media', 'agent', 'transcribe', 'long', 'soak']);
  // No file watching or hot reload: an edit elsewhere in the tree must not reload a page mid-run.
  const server = await createServer({
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    logLevel: 'error',
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  const origin = `http://127.0.0.1:${address.port}`;
  // Launched directly (not a browser server), so file inputs get paths rather than copies of
  // multi-GiB files; a tag no other Chromium carries finds its process id. --expose-gc lets the
  // memory snapshots collect garbage in the page and its workers before measuring.
  const tag = `--sage-bench-run=${process.pid}-${Date.now()}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, tag, '--js-flags=--expose-gc', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  const browserPid = taggedRootPid(tag);
  try {
    if (parts.has('media')) await mediaBench(browser, origin, browserPid);
    if (parts.has('agent')) await agentBench(browser, origin);
    if (parts.has('transcribe')) await transcribeBench(browser, origin, browserPid, minutes);
    if (parts.has('long')) await longBench(browser, origin, browserPid, mediaDir);
    if (parts.has('soak')) await soakBench(browser, origin, browserPid, questions);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
