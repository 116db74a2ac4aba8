/**
 * An answer on every device: the built app with the network unplugged and no vision model stored,
 * on a narrated lecture (tests/fixtures/make-lecture.sh). Whisper runs for real (its files are in
 * the app's cache from one online transcription); the vision model cannot be fetched. A speech
 * question is answered with the narrated fact and a timestamp that seeks to where it is said; a
 * question about the picture gets the honest speech-only answer. No scripted orchestrator.
 */
import lecture from '../fixtures/lecture.json';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { askInBox, browserForFile, forgetTranscripts, openVideo, recordedPage, screenshot, visitOnce } from './browser';

const origin = inject('origin');
const browser = browserForFile();
const LECTURE = 'tests/fixtures/media/lecture.mp4';
const pigment = lecture.sentences[1]!;

function openLecture(page: Page): Promise<void> {
  return openVideo(page, LECTURE);
}

/** Asks through the question box; settles with the element's next answer (rejects on an error event). */
async function ask(page: Page, question: string): Promise<string> {
  return (await askInBox(page, question)).answer;
}

describe('speech-only answers, offline, with no vision model stored', () => {
  it('answers a speech question with the fact and a seeking timestamp, and a picture question honestly', async () => {
    const { context, page, requested } = await recordedPage(browser());

    // Online once, so the service worker keeps the app and Whisper's files (as a visit would).
    await visitOnce(page, `${origin}/dist/index.html`);
    await openLecture(page);
    await page.locator('sage-agent .transcript > summary').click();
    await page.locator('sage-agent .transcribe-all').click();
    await expect.poll(() => page.locator('sage-agent .status').textContent(), { timeout: 120_000 }).toContain('The whole video is transcribed.');

    // Unplugged, with the kept transcript gone, so the question has to run Whisper again.
    await forgetTranscripts(page);
    await context.setOffline(true);
    await page.reload();
    await openLecture(page);
    const status = page.locator('sage-agent .status');
    // The note follows 'Ready' once the vision model's storage has been checked.
    await expect
      .poll(() => status.textContent(), { timeout: 60_000 })
      .toMatch(/^Ready: skimmed \d+ frames[\s\S]*Questions are answered from the speech: the vision model \(.+, \d+ MB\) is not stored and the page is offline\./);

    const answer = await ask(page, 'What is the green pigment in leaves called?');
    expect(answer).toMatch(/^From the speech only: the frames were not looked at because the vision model \(.+, \d+ MB\) is not stored and the page is offline\./);
    expect(answer.toLowerCase()).toMatch(/chloro/);
    // The step that says why vision was not used is shown, in the failure's own words.
    await expect.poll(() => page.locator('sage-agent .step.note').first().textContent()).toMatch(/page is offline/);
    await screenshot(page, 'speech-only-answered');

    // The timestamp in the answer is where the sentence is spoken, and seeks the player there.
    const link = page.locator('sage-agent .answer-text button.time').first();
    const target = Number(await link.getAttribute('data-seek'));
    expect(target).toBeGreaterThanOrEqual(pigment.start - 1);
    expect(target).toBeLessThan(pigment.end);
    const video = page.locator('sage-agent video');
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await link.click();
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => Math.floor(v.currentTime))).toBe(Math.floor(target));
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await expect.poll(() => page.getByRole('button', { name: 'Retry with vision' }).count()).toBe(1);

    // A question about the picture: the failed load is not tried again, and the answer says what it rests on.
    const hubBefore = requested.filter((url) => url.includes('huggingface')).length;
    const picture = await ask(page, 'What shape is drawn in the top left corner of the picture?');
    expect(picture).toMatch(/^From the speech only: the frames were not looked at because the vision model \(.+\) is not stored and the page is offline\./);
    expect(picture).toContain('Nothing said in the part of the speech searched matches the question.');
    expect(requested.filter((url) => url.includes('huggingface')).length).toBe(hubBefore);
    await screenshot(page, 'speech-only-picture-question');
    await context.close();
  }, 420_000);
});
