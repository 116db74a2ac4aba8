/** Chromium for the end-to-end tests: the system build, no network beyond 127.0.0.1, screenshots. */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARG } from '../../scripts/chromium';

export const SCREENSHOTS = 'test-results/screenshots';
export const SPEECH = 'tests/fixtures/media/speech.mp4';

/** `webgpu`: with Chromium's software WebGPU adapter (SwiftShader), for a small smoke test. */
function launch(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(options.webgpu ? [WEBGPU_ARG] : [])],
  });
}

export interface Guarded {
  context: BrowserContext;
  page: Page;
  /** Every URL requested (page and workers), and those that would have left 127.0.0.1. */
  requested: string[];
  external: string[];
  /** Console errors and CSP violations seen by the page. */
  problems: string[];
}

const LOCAL = /^(http:\/\/127\.0\.0\.1(:\d+)?\/|blob:|data:)/;

/** Chromium for every test of the calling file: launched before them, closed after. */
export function browserForFile(options: { webgpu?: boolean } = {}): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch(options);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not running yet');
    return browser;
  };
}

/** A fresh context whose requests to anywhere but 127.0.0.1 are recorded and refused. */
export async function guardedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Guarded> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const requested: string[] = [];
  const external: string[] = [];
  const problems: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOCAL.test(url)) return route.continue();
    external.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { context, page, requested, external, problems };
}

/** A fresh context (no request guard) whose requests, page and workers, are recorded. */
export async function recordedPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; requested: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requested: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  return { context, page: await context.newPage(), requested };
}

/** The first visit: opens `url`, waits for the app-shell service worker, and reloads so it controls the page. */
export async function visitOnce(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
}

/** Deletes the kept transcripts, so the next answer has to run Whisper. */
export async function forgetTranscripts(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise((done) => {
        const request = indexedDB.deleteDatabase('sage-transcripts');
        request.onsuccess = request.onerror = done;
      }),
  );
}

/** Opens `path` through the element's file input and waits for its details to name the file. */
export async function openVideo(page: Page, path: string): Promise<void> {
  await page.locator('sage-agent input[type=file]').setInputFiles(path);
  await expect.poll(() => page.locator('sage-agent .details').textContent()).toContain(path.split('/').pop()!);
}

/** Opens the speech fixture through the element's file input and waits for its details. */
export function openSpeech(page: Page): Promise<void> {
  return openVideo(page, SPEECH);
}

/**
 * Asks `question` through the question box with whatever orchestrator the page has. `answer`
 * settles with the element's next `answer` event, or rejects on `error`.
 */
export async function askInBox(page: Page, question: string): Promise<{ answer: Promise<string> }> {
  const answer = page.evaluate(
    () =>
      new Promise<string>((done, fail) => {
        const element = document.querySelector('sage-agent')!;
        element.addEventListener('sage-answer', (e) => done(e.detail.answer), { once: true });
        element.addEventListener('sage-error', (e) => fail(new Error(JSON.stringify(e.detail))), { once: true });
      }),
  );
  const input = page.getByRole('textbox', { name: 'Question about the video' });
  await input.fill(question);
  await input.press('Enter');
  return { answer };
}

/**
 * Puts a scripted orchestrator (one of the scripts below) in place and asks `question` through the
 * question box. `answer` settles with the element's next `answer` event, or rejects on `error`;
 * steps can be checked while it is pending.
 */
export async function askScripted(page: Page, script: string, question: string): Promise<{ answer: Promise<string> }> {
  await page.evaluate(script);
  return askInBox(page, question);
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });
}

/**
 * Plain JavaScript run in the page (no imports, so nothing of the test build leaks in): a scripted
 * orchestrator for `<sage-agent>.orchestrator`. Stage 1 asks for the transcript of the first
 * 15 s; Stage 2 answers with the lines it finds under `verbal_transcript_#1`, citing the first
 * line's time, so the answer can only be right if real Whisper output reached the last step.
 */
export const SCRIPTED_ORCHESTRATOR = String.raw`(() => {
  const element = document.querySelector('sage-agent');
  element.orchestrator = {
    async generate(request) {
      let reply;
      // Stage 1 is the call that carries the skim frames; Stage 2 is text only.
      if (request.images && request.images.length > 0) {
        reply = '<json>' + JSON.stringify({
          video_context: 'A test pattern with a voice speaking.',
          query_intent: 'The words spoken in the video.',
          final_answer: null,
          recommended_tools: { needed: true, why_no_tool: '', tool_calls: [{
            rationale: 'The answer is in the speech.', name: 'verbal_transcript',
            arguments: { video_path: 'speech.mp4', timestamp_start: '00:00:00', timestamp_end: '00:00:15' } }] },
        }) + '</json>';
      } else {
        const entry = /\[verbal_transcript_#1\][^\n]*\n([\s\S]*?)(?:\n\n|$)/.exec(request.prompt);
        const lines = (entry ? entry[1] : '').split('\n').filter((line) => /^\[\d\d:\d\d:\d\d-\d\d:\d\d:\d\d\] /.test(line));
        const heard = lines.map((line) => line.replace(/^\[[^\]]*\] /, '').trim()).join(' ');
        const first = lines.length > 0 ? lines[0].slice(4, 9) : '';
        reply = '<json>' + JSON.stringify({
          answerable: { verdict: heard !== '', reasoning: 'verbal_transcript_#1 has the words.' },
          final_answer: heard ? 'At ' + first + ' the speaker says: ' + heard : null,
          recommended_tools: { needed: false, why_no_tool: '', tool_calls: [] },
        }) + '</json>';
      }
      if (request.onToken) request.onToken(reply);
      return reply;
    },
  };
})()`;

/**
 * Like SCRIPTED_ORCHESTRATOR, but the evidence comes from the VLM: Stage 1 extracts frames of the
 * first 10 s, Stage 2 asks perform_reasoning about them, then answers with what the VLM replied
 * (quoted after "The frames show:"), so the answer carries text the real VLM generated.
 */
export const SCRIPTED_LOOKING_ORCHESTRATOR = String.raw`(() => {
  const element = document.querySelector('sage-agent');
  const json = (value) => '<json>' + JSON.stringify(value) + '</json>';
  const call = (name, args) => ({ needed: true, why_no_tool: '', tool_calls: [{ rationale: 'Look at the frames.', name, arguments: args }] });
  element.orchestrator = {
    async generate(request) {
      let reply;
      const prompt = request.prompt;
      if (request.images && request.images.length > 0) {
        reply = json({
          video_context: 'A test pattern.',
          query_intent: 'What the frames show.',
          final_answer: null,
          recommended_tools: call('extract_parts_from_timestamp', { video_path: 'speech.mp4', timestamp_start: '00:00:00', timestamp_end: '00:00:10', extract_type: 'frames' }),
        });
      } else if (!prompt.includes('[perform_reasoning_#1]')) {
        const ids = /media_paths: (\[[^\]]*\])/.exec(prompt);
        reply = json({
          answerable: { verdict: false, reasoning: 'The frames need a look.' },
          final_answer: null,
          recommended_tools: call('perform_reasoning', { query: 'What do these frames show?', media_paths: ids ? JSON.parse(ids[1]).slice(0, 2) : [] }),
        });
      } else {
        const seen = /\[perform_reasoning_#1\][^\n]*\nanswer: ([\s\S]*?)(?:\n\n|$)/.exec(prompt);
        reply = json({
          answerable: { verdict: true, reasoning: 'perform_reasoning_#1 answered.' },
          final_answer: 'The frames show: ' + (seen ? seen[1].trim() : '(nothing)'),
          recommended_tools: { needed: false, why_no_tool: '', tool_calls: [] },
        });
      }
      if (request.onToken) request.onToken(reply);
      return reply;
    },
  };
})()`;
