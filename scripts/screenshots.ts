/**
 * `npm run screenshots`: builds the app, opens the speech fixture in it, asks a question a scripted
 * orchestrator answers with real Whisper and real frame extraction, and saves what the screen shows
 * at 1280×800 (desktop) and 390×844 (phone), light and dark, as docs/screenshot-<layout>-<scheme>.png.
 * `--no-build` reuses dist/.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { serveFolders } from '../eval/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const ROOT = resolve(import.meta.dirname, '..');
const LAYOUTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const SCHEMES = ['light', 'dark'] as const;

/**
 * Plain JavaScript run in the page: Stage 1 listens to the first 15 s, Stage 2 looks at frames of
 * 00:02–00:06, then answers with the words Whisper heard, citing where.
 */
const ORCHESTRATOR = String.raw`(() => {
  const json = (value) => '<json>' + JSON.stringify(value) + '</json>';
  const call = (name, args, rationale) => ({ needed: true, why_no_tool: '', tool_calls: [{ rationale, name, arguments: args }] });
  document.querySelector('sage-agent').orchestrator = {
    async generate(request) {
      let reply;
      const prompt = request.prompt;
      if (request.images && request.images.length > 0) {
        reply = json({ video_context: 'A test pattern with a voice speaking.', query_intent: 'What is said, and when.', final_answer: null,
          recommended_tools: call('verbal_transcript', { video_path: 'speech.mp4', timestamp_start: '00:00:00', timestamp_end: '00:00:15' }, 'The answer is in the speech.') });
      } else if (!prompt.includes('[extract_parts_from_timestamp_#1]')) {
        reply = json({ answerable: { verdict: false, reasoning: 'Check what is on screen while it is said.' }, final_answer: null,
          recommended_tools: call('extract_parts_from_timestamp', { video_path: 'speech.mp4', timestamp_start: '00:00:02', timestamp_end: '00:00:06', extract_type: 'frames' }, 'See the picture while the first sentence is said.') });
      } else {
        const entry = /\[verbal_transcript_#1\][^\n]*\n([\s\S]*?)(?:\n\n|$)/.exec(prompt);
        const lines = (entry ? entry[1] : '').split('\n').filter((line) => /^\[\d\d:\d\d:\d\d-\d\d:\d\d:\d\d\] /.test(line));
        const first = lines.length > 0 ? lines[0].slice(4, 9) : '00:00';
        const heard = lines.map((line) => line.replace(/^\[[^\]]*\] /, '').trim()).join(' ');
        reply = json({ answerable: { verdict: true, reasoning: 'verbal_transcript_#1 has the words.' },
          final_answer: 'From ' + first + ' the speaker says: ' + heard, recommended_tools: { needed: false, why_no_tool: '', tool_calls: [] } });
      }
      if (request.onToken) request.onToken(reply);
      return reply;
    },
  };
})()`;

async function shoot(browser: Browser, origin: string, layout: keyof typeof LAYOUTS, scheme: (typeof SCHEMES)[number]): Promise<void> {
  const context = await browser.newContext({ viewport: LAYOUTS[layout], colorScheme: scheme, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(`${origin}/dist/index.html`);
  await page.locator('sage-agent input[type=file]').setInputFiles(resolve(ROOT, 'tests/fixtures/media/speech.mp4'));
  await page.locator('sage-agent .status').filter({ hasText: /^Ready/ }).waitFor({ timeout: 60_000 });
  await page.evaluate(ORCHESTRATOR);
  const question = page.getByRole('textbox', { name: 'Question about the video' });
  await question.fill('What does the speaker say, and when?');
  await question.press('Enter');
  await page.locator('sage-agent .answer').waitFor({ timeout: 120_000 });
  await page.locator('sage-agent video').evaluate(async (video: HTMLVideoElement) => {
    video.pause();
    video.currentTime = 4;
    await new Promise((done) => video.addEventListener('seeked', done, { once: true }));
  });
  // The question box, empty again, with a follow-up typed: what a person sees next.
  await question.fill('What is on screen then?');
  await page.mouse.move(0, 0);
  const path = resolve(ROOT, `docs/screenshot-${layout}-${scheme}.png`);
  await page.screenshot({ path });
  console.log(path);
  await context.close();
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: 'inherit',
    });
  }
  const server = await serveFolders({ '/dist/': resolve(ROOT, 'dist') });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  try {
    for (const layout of Object.keys(LAYOUTS) as (keyof typeof LAYOUTS)[]) {
      for (const scheme of SCHEMES) await shoot(browser, server.origin, layout, scheme);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
