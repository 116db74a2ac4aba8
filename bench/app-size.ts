/**
 * `npm run bench` (after bench/run.ts): what the app costs before any model is needed.
 * - JS shipped to open the page, open a video and skim it (page, widget module and media worker),
 *   gzipped as a server would send it. Goal: under 300 KB.
 * - Time from a file being chosen to its first frame on screen, for the 1-hour benchmark file
 *   that bench/run.ts makes (skipped with a note when it does not exist yet).
 * Prints one JSON line per metric, like bench/run.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright';
import { startServer } from '../tests/e2e/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium';

const HOUR_FILE = join(tmpdir(), 'sage-bench', 'hour-640x360-k10.mp4');
const SPEECH_FILE = 'tests/fixtures/media/speech.mp4';
const FIRST_FRAME_RUNS = 3;

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function report(metric: string, values: Record<string, unknown>): void {
  console.log(JSON.stringify({ metric, ...values }));
}

/** Opens `file` in the app and resolves with ms from the file being chosen to the first frame shown. */
async function openAndTime(page: Page, file: string): Promise<number> {
  await page.locator('sage-agent input[type=file]').setInputFiles(file);
  await page.waitForFunction(() => performance.getEntriesByName('sage:first-frame').length > 0, undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const open = performance.getEntriesByName('sage:open')[0]!.startTime;
    return performance.getEntriesByName('sage:first-frame')[0]!.startTime - open;
  });
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  const { origin, close } = await startServer(process.cwd());
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
  });
  try {
    const context = await browser.newContext();
    const scripts = new Map<string, Promise<Buffer>>();
    context.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (/javascript/.test(type)) scripts.set(response.url(), response.body());
    });
    const page = await context.newPage();
    await page.goto(`${origin}/dist/index.html`);
    await openAndTime(page, SPEECH_FILE);
    await page.waitForFunction(() => /^Ready/.test(document.querySelector('sage-agent')!.shadowRoot!.querySelector('.status')!.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
    let raw = 0;
    let gzipped = 0;
    const files: Record<string, number> = {};
    for (const [url, body] of scripts) {
      const bytes = await body;
      raw += bytes.length;
      const size = gzipSync(bytes, { level: 9 }).length;
      gzipped += size;
      files[url.slice(url.lastIndexOf('/') + 1)] = round(size / 1024);
    }
    report('js_before_models_gzip', {
      KB: round(gzipped / 1024), raw_KB: round(raw / 1024), files_gzip_KB: files,
      goal: 'KB < 300', note: 'page load, a video opened and skimmed; no model loaded',
    });
    await context.close();

    if (!existsSync(HOUR_FILE)) {
      report('drop_to_first_frame_1h', { skipped: `${HOUR_FILE} is missing; bench/run.ts media makes it` });
      return;
    }
    const times: number[] = [];
    for (let run = 0; run < FIRST_FRAME_RUNS; run++) {
      const fresh = await browser.newPage();
      await fresh.goto(`${origin}/dist/index.html`);
      times.push(await openAndTime(fresh, HOUR_FILE));
      await fresh.close();
    }
    times.sort((a, b) => a - b);
    report('drop_to_first_frame_1h', { ms_median: round(times[Math.floor(times.length / 2)]!), ms_runs: times.map((t) => round(t)) });
  } finally {
    await browser.close();
    await close();
  }
}

await main();
