/**
 * The main paths of the built app, run unchanged in each browser engine (the `e2e` project in
 * Chromium, `e2e-firefox` in Debian's Firefox ESR; see driver.ts): open a video by drop and by
 * the file input, skim, play, transcribe with real Whisper, ask with the tiny test VLM on WASM,
 * and answer after a reload with the server gone. The page must say what the engine lacks.
 */
import speech from '../fixtures/speech.json';
import { describe, expect, inject, it } from 'vitest';
import { TINY_TEST_VLM_ID } from '../../src/models/registry';
import { SCRIPTED_LOOKING_ORCHESTRATOR, SCRIPTED_ORCHESTRATOR, SPEECH } from './browser';
import { engineForFile, type AppPage } from './driver';
import { startServer } from './server';

const origin = inject('origin');
const engine = inject('engine');
const browser = engineForFile(engine);

const QUESTION = '[aria-label="Question about the video"]';

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z\s]/g, ' ').split(/\s+/).filter((w) => w.length > 3);
}

/** Every phrase of the fixture is mostly present (Whisper may differ on a word, and does between engines). */
function expectSpeech(text: string): void {
  const heard = new Set(words(text));
  for (const phrase of speech.phrases) {
    const wanted = words(phrase.text);
    expect(wanted.filter((w) => heard.has(w)).length / wanted.length, `"${phrase.text}" in "${text}"`).toBeGreaterThanOrEqual(0.6);
  }
}

async function openByInput(page: AppPage): Promise<void> {
  await page.upload('input[type=file]', SPEECH);
  await expect.poll(() => page.text('.details')).toContain('speech.mp4');
}

/**
 * Puts a scripted orchestrator in place, asks, and returns the answer (or the error event's
 * detail), polled rather than awaited in one call: a WASM answer may outlast a protocol timeout.
 */
async function ask(page: AppPage, script: string, question: string, timeout = 180_000): Promise<string> {
  await page.run(script);
  await page.run(`(() => {
    window.__answer = null;
    const element = document.querySelector('sage-agent');
    element.addEventListener('sage-answer', (e) => (window.__answer = e.detail.answer), { once: true });
    element.addEventListener('sage-error', (e) => (window.__answer = 'error: ' + JSON.stringify(e.detail)), { once: true });
  })()`);
  await page.typeAndEnter(QUESTION, question);
  const answer = () => page.evaluate(() => (window as unknown as { __answer: string | null }).__answer);
  await expect.poll(answer, { timeout, interval: 1000 }).not.toBeNull();
  return (await answer()) ?? '';
}

describe(`the app's main paths in ${engine}`, () => {
  it('opens a dropped video, skims, plays, and says truthfully what this browser lacks', async () => {
    const page = await browser().newPage();
    await page.goto(`${origin}/dist/index.html`);
    // A drop as the browser delivers it: a DataTransfer holding the file.
    await page.evaluate(async (url) => {
      const bytes = await (await fetch(url)).blob();
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'speech.mp4', { type: 'video/mp4' }));
      document.querySelector('sage-agent')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, `${origin}/tests/fixtures/media/speech.mp4`);
    await expect.poll(() => page.text('.details')).toContain('speech.mp4');
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('sage:first-frame').length)).toBe(1);
    await expect.poll(() => page.text('.status'), { timeout: 60_000 }).toMatch(/^Ready: skimmed \d+ frames/);
    const played = await page.evaluate(async () => {
      const video = document.querySelector('sage-agent')!.shadowRoot!.querySelector('video')!;
      video.muted = true;
      await video.play();
      const from = video.currentTime;
      await new Promise((done) => setTimeout(done, 1500));
      video.pause();
      return video.currentTime - from;
    });
    expect(played).toBeGreaterThan(0.3);

    // The device line matches what the browser offers: WebGPU only where an adapter exists.
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? Boolean(await gpu.requestAdapter()) : false;
    });
    await page.click('.settings > summary');
    await expect.poll(() => page.text('.device')).toMatch(/^This device: /);
    const device = await page.text('.device');
    if (adapter) expect(device).toMatch(/^This device: WebGPU/);
    else expect(device).toMatch(/^This device: No WebGPU: running on CPU \(WASM\)/);
    expect(device).toContain((await page.evaluate(() => crossOriginIsolated)) ? 'threads on' : 'threads off');
    await page.screenshot('main-dropped');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('opens through the file input and transcribes with real Whisper', async () => {
    const page = await browser().newPage();
    await page.goto(`${origin}/dist/index.html`);
    await openByInput(page);
    await expect.poll(() => page.text('.status'), { timeout: 60_000 }).toMatch(/^Ready: skimmed \d+ frames/);
    await page.click('.transcript > summary');
    await page.click('button.transcribe-all');
    await expect.poll(() => page.text('.transcript .muted'), { timeout: 150_000 }).toMatch(/^00:15 of 00:15 transcribed/);
    expectSpeech(await page.text('.segments'));
    expect(await page.text('.alert')).toBe('');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('asks the tiny test VLM on WASM, whose own words reach the answer', async () => {
    const page = await browser().newPage();
    await page.goto(`${origin}/dist/index.html`);
    await page.evaluate((id) => {
      const agent = document.querySelector('sage-agent')!;
      agent.setAttribute('model', id);
      agent.setAttribute('model-source', './models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX');
    }, TINY_TEST_VLM_ID);
    await openByInput(page);
    const answer = await ask(page, SCRIPTED_LOOKING_ORCHESTRATOR, 'What do the frames show?');
    expect(answer).toMatch(/^The frames show: /);
    expect(answer).not.toMatch(/\(nothing\)|gave no answer/);
    await page.screenshot('main-tiny-vlm');
    await page.close();
  });

  it('after one visit, answers with real Whisper once the server is gone', async () => {
    // A server of its own, so closing it takes the network away from this page only.
    const server = await startServer(process.cwd());
    const page = await browser().newPage();
    try {
      await page.goto(`${server.origin}/dist/index.html`);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await page.reload();
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toContain('app-shell-sw.js');
      // The server sends no isolation headers; the service worker adds them, so WASM gets threads.
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await openByInput(page);
      expectSpeech(await ask(page, SCRIPTED_ORCHESTRATOR, 'What does the speaker say?'));

      // The kept transcript goes first, or the answer would come from it without Whisper running.
      await page.evaluate(
        () =>
          new Promise((done) => {
            const request = indexedDB.deleteDatabase('sage-transcripts');
            request.onsuccess = request.onerror = done;
          }),
      );
      await server.close();
      await page.reload();
      const probe = await page.evaluate(() => fetch(`never-cached-${Math.random()}.txt`).then(() => 'reached the server', () => 'offline'));
      expect(probe).toBe('offline');
      await openByInput(page);
      expectSpeech(await ask(page, SCRIPTED_ORCHESTRATOR, 'What does the speaker say?'));
      await page.screenshot('main-offline');
    } finally {
      await page.close();
      await server.close();
    }
  });
});
