/**
 * The built app and widget in headless Chromium, used as a person would: pick a video, ask, read
 * the steps and the answer, click a timestamp; open a broken file; embed the widget in a styled
 * page; run under a strict CSP. Real media worker and real Whisper; the orchestrator is scripted
 * (no VLM weights here). Nothing may be requested from anywhere but 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import speech from '../fixtures/speech.json';
import { describe, expect, inject, it } from 'vitest';
import { askScripted, browserForFile, guardedPage, openSpeech, screenshot, SCRIPTED_ORCHESTRATOR, type Guarded } from './browser';

const origin = inject('origin');
const browser = browserForFile();

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z\s]/g, ' ').split(/\s+/).filter((w) => w.length > 3);
}

/** Every phrase of the fixture is mostly present (Whisper may differ on a word). */
function expectSpeech(text: string): void {
  const heard = new Set(words(text));
  for (const phrase of speech.phrases) {
    const wanted = words(phrase.text);
    const found = wanted.filter((w) => heard.has(w));
    expect(found.length / wanted.length, `"${phrase.text}" in "${text}"`).toBeGreaterThanOrEqual(0.6);
  }
}


async function askAndAnswer(g: Guarded, shotPrefix: string): Promise<void> {
  const { page } = g;
  const answered = (await askScripted(page, SCRIPTED_ORCHESTRATOR, 'What does the speaker say?')).answer;
  // The step appears while Whisper is still working.
  await expect.poll(() => page.locator('sage-agent .step.tool .step-title').first().textContent(), { timeout: 60_000 }).toBe('Listening to 00:00–00:15');
  await screenshot(page, `${shotPrefix}-working`);
  const answer = await answered;
  expectSpeech(answer);
  const shown = page.locator('sage-agent .answer-text');
  await expect.poll(() => shown.textContent()).toBe(answer);
  await expect.poll(() => page.locator('sage-agent .answer .evidence').textContent()).toContain('Listening to 00:00–00:15');
  expect(await page.locator('sage-agent .timeline .marker').count()).toBeGreaterThan(0);

  // The timestamp in the answer seeks the player.
  const video = page.locator('sage-agent video');
  await video.evaluate((v: HTMLVideoElement) => {
    v.pause();
    v.currentTime = 10;
  });
  const link = shown.locator('button.time').first();
  const target = Number(await link.getAttribute('data-seek'));
  expect(target).toBeLessThan(5);
  await link.click();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeLessThan(target + 2);
  expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThanOrEqual(target);
  await video.evaluate((v: HTMLVideoElement) => v.pause());
  await screenshot(page, `${shotPrefix}-answered`);
}

describe('the app (built, served from dist/)', () => {
  it('opens the speech video, answers with real Whisper, seeks from a timestamp, fills the transcript', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    await screenshot(page, 'app-empty');
    await openSpeech(page);
    // It plays at once: the first frame is on screen.
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('sage:first-frame').length)).toBe(1);
    await expect.poll(() => page.locator('sage-agent .status').textContent(), { timeout: 30_000 }).toMatch(/^Ready: skimmed \d+ frames/);
    await askAndAnswer(g, 'app');

    // The transcript panel holds what the agent heard, is searchable, and exports.
    await page.locator('sage-agent .transcript > summary').click();
    const segments = page.locator('sage-agent .segments li');
    expect(await segments.count()).toBeGreaterThan(0);
    expectSpeech((await page.locator('sage-agent .segments').textContent()) ?? '');
    await page.getByRole('searchbox', { name: 'Search the transcript' }).fill(words(speech.phrases[0]!.text)[0]!);
    expect(await segments.count()).toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export WebVTT' }).click();
    const vtt = readFileSync(await (await download).path(), 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toMatch(/\d\d:\d\d:\d\d\.\d{3} --> /);

    // A follow-up reuses the skim and the transcript already made.
    const input = page.getByRole('textbox', { name: 'Question about the video' });
    await input.fill('And once more?');
    await input.press('Enter');
    await expect.poll(() => page.locator('sage-agent .answer').count(), { timeout: 30_000 }).toBe(2);
    // Stop ends the transcription row; a speech model still loading goes on loading (and says so),
    // so the next press need not download it again.
    const rows = await page.locator('sage-agent .progress li').allTextContents();
    expect(rows.filter((row) => !/^Loading (speech recognition|Whisper)/.test(row))).toEqual([]);

    await page.locator('sage-agent .settings > summary').click();
    await expect.poll(() => page.locator('sage-agent .device').textContent()).toMatch(/^This device: /);
    await screenshot(page, 'app-panels');

    await page.setViewportSize({ width: 320, height: 800 });
    await screenshot(page, 'app-320px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'horizontal scroll at 320 px').toBeLessThanOrEqual(0);

    expect(g.requested.some((url) => url.includes('/models/Xenova/whisper-base/')), 'worker requests are observed').toBe(true);
    // Whisper runs on WASM here, so its worker loads ONNX Runtime's CPU build, not the WebGPU one.
    const runtimes = g.requested.filter((url) => /ort-wasm-simd-threaded[^/]*\.wasm$/.test(url));
    expect(runtimes.length).toBeGreaterThan(0);
    expect(runtimes.filter((url) => /asyncify|jsep|jspi/.test(url))).toEqual([]);
    expect(g.external).toEqual([]);
    expect(g.problems).toEqual([]);
    await g.context.close();
  });

  it('transcribes with progress and Stop, and after a reload shows the kept transcript without running Whisper', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    await openSpeech(page);
    // After the skim, so its progress row is gone before Stop is checked.
    await expect.poll(() => page.locator('sage-agent .status').textContent(), { timeout: 30_000 }).toMatch(/^Ready: skimmed \d+ frames/);
    await page.locator('sage-agent .transcript > summary').click();
    const button = page.locator('sage-agent button.transcribe-all');
    const summary = page.locator('sage-agent .transcript .muted').first();
    // Progress in seconds done of the whole, and Stop ends it with nothing half-kept.
    await button.click();
    await expect.poll(() => page.locator('sage-agent .progress').textContent()).toContain('Transcribing: 0 s of 15 s');
    expect(await button.textContent()).toBe('Stop transcribing');
    await button.click();
    await expect.poll(() => button.textContent(), { timeout: 60_000 }).toBe('Transcribe all');
    expect(await summary.textContent()).toMatch(/^00:00 of 00:15 transcribed/);
    // Stop ends the transcription row; a speech model still loading goes on loading (and says so),
    // so the next press need not download it again.
    const rows = await page.locator('sage-agent .progress li').allTextContents();
    expect(rows.filter((row) => !/^Loading (speech recognition|Whisper)/.test(row))).toEqual([]);

    await button.click();
    await expect.poll(() => summary.textContent(), { timeout: 90_000 }).toMatch(/^00:15 of 00:15 transcribed/);
    const heard = await page.locator('sage-agent .segments').textContent();
    expectSpeech(heard ?? '');

    // The same file after a reload: the transcript is there at once, and Whisper is never asked.
    await page.reload();
    const sinceReload = g.requested.length;
    await openSpeech(page);
    await page.locator('sage-agent .transcript > summary').click();
    await expect.poll(() => summary.textContent()).toMatch(/^00:15 of 00:15 transcribed/);
    expect(await page.locator('sage-agent .segments').textContent()).toBe(heard);
    expect(await button.isDisabled()).toBe(true);
    expect(g.requested.slice(sinceReload).filter((url) => /whisper/i.test(url))).toEqual([]);
    expect(g.external).toEqual([]);
    expect(g.problems).toEqual([]);
    await g.context.close();
  });

  it('can be used from the keyboard alone: ask, then reach and activate a timestamp', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    await openSpeech(page);
    await page.evaluate(SCRIPTED_ORCHESTRATOR);
    /** The element focused inside the widget's shadow root, described for the test. */
    const focused = () =>
      page.evaluate(() => {
        const active = document.querySelector('sage-agent')?.shadowRoot?.activeElement as HTMLElement | null;
        return active ? { tag: active.tagName, label: active.getAttribute('aria-label') ?? '', inAnswer: Boolean(active.closest('.answer')), time: active.classList.contains('time') } : null;
      });
    async function tabTo(match: (f: NonNullable<Awaited<ReturnType<typeof focused>>>) => boolean): Promise<void> {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const f = await focused();
        if (f && match(f)) return;
      }
      throw new Error('not reachable with Tab');
    }
    await tabTo((f) => f.label === 'Question about the video');
    await page.keyboard.type('What does the speaker say?');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('sage-agent .answer').count(), { timeout: 60_000 }).toBe(1);

    const video = page.locator('sage-agent video');
    await video.evaluate((v: HTMLVideoElement) => {
      v.pause();
      v.currentTime = 12;
    });
    await tabTo((f) => f.inAnswer && f.time);
    await page.keyboard.press('Enter');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeLessThan(5);
    expect(g.external).toEqual([]);
    await g.context.close();
  });

  it('shows a clear error for a file that is not a video, and stays usable', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    const errors: string[] = [];
    await page.exposeFunction('sawError', (code: string) => errors.push(code));
    await page.evaluate(() =>
      document.querySelector('sage-agent')!.addEventListener('sage-error', (e) => {
        const detail = (e as unknown as CustomEvent<{ error: { code: string } }>).detail;
        void (window as unknown as { sawError(code: string): void }).sawError(detail.error.code);
      }),
    );
    await page.locator('sage-agent input[type=file]').setInputFiles({ name: 'notes.mp4', mimeType: 'video/mp4', buffer: Buffer.from('these are notes, not a video\n'.repeat(50)) });
    const alert = page.locator('sage-agent .alert');
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/\S/);
    await expect.poll(() => errors).toEqual(['not-media']);
    expect(await page.getByRole('textbox', { name: 'Question about the video' }).isDisabled()).toBe(true);
    await screenshot(page, 'app-broken-file');

    await openSpeech(page);
    expect(await alert.isVisible()).toBe(false);
    expect(await page.getByRole('textbox', { name: 'Question about the video' }).isDisabled()).toBe(false);
    expect(g.external).toEqual([]);
    await g.context.close();
  });

  it('says clearly when the VLM cannot load, answers from the speech, and tries it again only on "Retry with vision"', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    // The tiny test model is not part of the build, so loading it fails as a missing download would.
    await page.goto(`${origin}/dist/index.html`);
    await page.evaluate(() => document.querySelector('sage-agent')!.setAttribute('model', 'tiny-random-qwen2.5-vl'));
    await openSpeech(page);
    const input = page.getByRole('textbox', { name: 'Question about the video' });
    const answers = page.locator('sage-agent .answer-text');
    const attempts = () => g.requested.filter((url) => url.includes('tiny-random-qwen2_5_vl')).length;
    const speechOnly = /^From the speech only: the frames were not looked at because .*the vision model \(Tiny random Qwen2\.5-VL \(tests only\)/;

    // The first question tries the model once; its failure is a step in its own words, and the
    // question is answered from the speech, saying why.
    await input.fill('What happens?');
    await input.press('Enter');
    await expect.poll(() => answers.count(), { timeout: 90_000 }).toBe(1);
    expect(await answers.first().textContent()).toMatch(speechOnly);
    const notes = await page.locator('sage-agent .step.note').allTextContents();
    expect(notes.some((note) => note.includes('Tiny random Qwen2.5-VL (tests only)'))).toBe(true);
    expect(await page.locator('sage-agent .outcome .error-text').count()).toBe(0);
    await expect.poll(() => input.isDisabled()).toBe(false);
    const afterFirst = attempts();
    expect(afterFirst).toBeGreaterThan(0);

    // The failure is kept: the next question goes to the speech without asking for the model's files.
    await input.fill('And now?');
    await input.press('Enter');
    await expect.poll(() => answers.count(), { timeout: 90_000 }).toBe(2);
    expect(await answers.nth(1).textContent()).toMatch(speechOnly);
    await expect.poll(() => input.isDisabled()).toBe(false);
    expect(attempts()).toBe(afterFirst);

    // "Retry with vision" forgets the failure: the model's files are asked for again.
    await page.getByRole('button', { name: 'Retry with vision' }).last().click();
    await expect.poll(() => answers.count(), { timeout: 90_000 }).toBe(3);
    expect(attempts()).toBeGreaterThan(afterFirst);
    await expect.poll(() => input.isDisabled()).toBe(false);

    // The speech answers heard the whole video with real Whisper: the transcript panel holds it all,
    // so "Transcribe all" has nothing left to do.
    await page.locator('sage-agent .transcript > summary').click();
    await expect.poll(() => page.locator('sage-agent .segments li').count(), { timeout: 90_000 }).toBeGreaterThan(0);
    expectSpeech((await page.locator('sage-agent .segments').textContent()) ?? '');
    await expect.poll(() => page.locator('sage-agent .transcript .muted').first().textContent(), { timeout: 90_000 }).toMatch(/^00:1\d of 00:1\d transcribed/);
    expect(await page.getByRole('button', { name: 'Transcribe all' }).isDisabled()).toBe(true);
    await screenshot(page, 'app-vlm-failed');
    expect(g.external).toEqual([]);
    await g.context.close();
  });
});

describe('the widget', () => {
  it('works on a styled host page, and no style crosses the shadow boundary either way', async () => {
    const g = await guardedPage(browser(), { width: 900, height: 900 });
    const { page } = g;
    await page.goto(`${origin}/examples/embed.html`);
    await page.waitForFunction(() => customElements.get('sage-agent') !== undefined);
    // Host rules (serif everywhere, hot pink buttons) do not reach the widget's buttons and text.
    const inside = await page.locator('sage-agent .drop').evaluate((el) => getComputedStyle(el).fontFamily);
    expect(inside).not.toMatch(/Georgia/);
    const insideButton = await page.locator('sage-agent .transcript button.transcribe-all').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(insideButton).not.toBe('rgb(255, 105, 180)');
    // The widget's rules (.title, button) do not restyle the page.
    const hostButton = page.locator('header.site button.title');
    expect(await hostButton.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 105, 180)');
    expect(await hostButton.evaluate((el) => getComputedStyle(el).textTransform)).toBe('uppercase');
    expect(await page.locator('h1').evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/Georgia/);

    await openSpeech(page);
    await askAndAnswer(g, 'widget');
    expect(g.external).toEqual([]);
    expect(g.problems).toEqual([]);
    await g.context.close();
  });

  it('loads the video named by its src attribute', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/examples/embed.html`);
    await page.evaluate(() => document.querySelector('sage-agent')!.setAttribute('src', '../tests/fixtures/media/speech.mp4'));
    await expect.poll(() => page.locator('sage-agent .details').textContent()).toContain('speech.mp4');
    expect(g.external).toEqual([]);
    await g.context.close();
  });
});

describe('under a strict Content-Security-Policy', () => {
  it.each([
    // Each may be followed by the note on what the first question downloads.
    ['/strict/', /^Ready: skimmed \d+ frames\. This file's audio uses AC-3, whose decoder this page's Content-Security-Policy does not allow to start \(it needs worker-src blob:\)\. Nothing said in it can be heard\.( The first question downloads .*)?$/],
    ['/strict-blob-workers/', /^Ready: skimmed \d+ frames\.( The first question downloads .*)?$/],
  ])('under %s, AC-3 audio is heard only where its decoder may start, and the page says which', async (prefix, status) => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}${prefix}dist/index.html`);
    await page.locator('sage-agent input[type=file]').setInputFiles('tests/fixtures/media/ac3.mp4');
    await expect.poll(() => page.locator('sage-agent .status').textContent(), { timeout: 30_000 }).toMatch(status);
    // Transcribing decodes the whole track: it runs to the end where the decoder starts, and
    // fails with the same reason where it may not.
    await page.locator('sage-agent .transcript > summary').click();
    await page.getByRole('button', { name: 'Transcribe all' }).click();
    const alert = page.locator('sage-agent .alert');
    if (prefix === '/strict/') {
      await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toContain('Content-Security-Policy');
    } else {
      await expect.poll(() => page.locator('sage-agent .transcript .muted').first().textContent(), { timeout: 90_000 }).toMatch(/^00:12 of 00:12 transcribed/);
      expect(await alert.isVisible()).toBe(false);
    }
    expect(g.external).toEqual([]);
    await g.context.close();
  });

  it('answers with real Whisper and breaks no directive', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/strict/dist/index.html`);
    await page.evaluate(() => {
      (window as unknown as { violations: string[] }).violations = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await openSpeech(page);
    await askAndAnswer(g, 'csp');
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(g.problems).toEqual([]);
    expect(g.external).toEqual([]);
    await g.context.close();
  });
});
