/**
 * Offline use: after one visit (the app-shell service worker installed, Whisper's files fetched
 * once through it), the built app opens and answers a question with the network unplugged.
 * The orchestrator is scripted as in app.test.ts; the media worker and Whisper are real.
 */
import speech from '../fixtures/speech.json';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { askScripted, browserForFile, forgetTranscripts, openSpeech, recordedPage, screenshot, SCRIPTED_ORCHESTRATOR, visitOnce } from './browser';

const origin = inject('origin');
const browser = browserForFile();

/** Opens the speech video, asks with the scripted orchestrator, and returns the answer text. */
async function askAboutSpeech(page: Page): Promise<string> {
  await openSpeech(page);
  const { answer } = await askScripted(page, SCRIPTED_ORCHESTRATOR, 'What does the speaker say?');
  return answer;
}

describe('offline after the first visit', () => {
  it('opens the app and answers with the network unplugged', async () => {
    const { context, page, requested } = await recordedPage(browser());

    // First visit, online: the service worker installs and takes control, the first answer pulls
    // Whisper's files through it.
    await visitOnce(page, `${origin}/dist/index.html`);
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toContain('app-shell-sw.js');
    // The server sends no isolation headers; the service worker adds them, so WASM gets threads.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await askAboutSpeech(page)).toContain('fox');

    // Unplugged: the page, its workers, ONNX Runtime and Whisper all come from the cache. The kept
    // transcript goes first, or the answer would come from it without Whisper running.
    await forgetTranscripts(page);
    await context.setOffline(true);
    await page.reload();
    const whisperBefore = requested.filter((url) => url.includes('whisper')).length;
    const probe = await page.evaluate(() =>
      fetch(`never-cached-${Math.random()}.txt`).then(
        () => 'reached the network',
        () => 'offline',
      ),
    );
    expect(probe).toBe('offline');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const answer = await askAboutSpeech(page);
    const heard = answer.toLowerCase();
    for (const phrase of speech.phrases) {
      const words = phrase.text.toLowerCase().replace(/[^a-z\s]/g, ' ').split(/\s+/).filter((w) => w.length > 3);
      expect(words.filter((w) => heard.includes(w)).length / words.length, answer).toBeGreaterThanOrEqual(0.6);
    }
    await screenshot(page, 'app-offline-answered');
    expect(requested.filter((url) => url.includes('whisper')).length, 'Whisper ran offline').toBeGreaterThan(whisperBefore);

    expect(requested.filter((url) => !/^(http:\/\/127\.0\.0\.1(:\d+)?\/|blob:|data:)/.test(url))).toEqual([]);
    await context.close();
  });
});
