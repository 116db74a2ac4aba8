/**
 * The built app for people who use a keyboard, a screen reader, a phone or a dark screen: axe-core
 * finds no WCAG A/AA violation in any state, light or dark; the whole path works from the keyboard;
 * answers are read out; the layout keeps the player, timeline, question and answer in view.
 */
import axe from 'axe-core';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { browserForFile, guardedPage, openSpeech, screenshot } from './browser';

const origin = inject('origin');
const browser = browserForFile();

/**
 * Plain JavaScript run in the page: a scripted orchestrator. Asked something with "wait" in it,
 * Stage 1 runs until Stop; otherwise Stage 1 extracts frames of 00:02–00:06 (media worker only, no
 * model) and Stage 2 answers, citing 00:02.
 */
const ORCHESTRATOR = String.raw`(() => {
  const json = (value) => '<json>' + JSON.stringify(value) + '</json>';
  document.querySelector('sage-agent').orchestrator = {
    generate(request) {
      if (/wait/i.test(request.prompt) && request.images && request.images.length > 0) {
        return new Promise((_, fail) => request.signal.addEventListener('abort', () => fail(new Error('stopped'))));
      }
      const reply = request.images && request.images.length > 0
        ? json({ video_context: 'A test pattern.', query_intent: 'What is shown.', final_answer: null,
            recommended_tools: { needed: true, why_no_tool: '', tool_calls: [{ rationale: 'Look.', name: 'extract_parts_from_timestamp',
              arguments: { video_path: 'speech.mp4', timestamp_start: '00:00:02', timestamp_end: '00:00:06', extract_type: 'frames' } }] } })
        : json({ answerable: { verdict: true, reasoning: 'The frames show it.' }, final_answer: 'At 00:02 the screen shows colour bars.',
            recommended_tools: { needed: false, why_no_tool: '', tool_calls: [] } });
      return Promise.resolve(reply);
    },
  };
})()`;

interface Violation {
  id: string;
  impact: string | null | undefined;
  nodes: string[];
}

/** axe-core's WCAG 2.2 A and AA rules over the page, shadow roots included. */
async function audit(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
  });
}

const agent = (page: Page, selector: string) => page.locator(`sage-agent ${selector}`);

async function ask(page: Page, question: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Question about the video' });
  await input.fill(question);
  await input.press('Enter');
}

describe('accessibility', () => {
  it.each(['light', 'dark'] as const)('has no WCAG A/AA violations in any state (%s)', async (scheme) => {
    const g = await guardedPage(browser(), { width: 1280, height: 800 });
    const { page } = g;
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${origin}/dist/index.html`);
    const states: Record<string, Violation[]> = {};
    states.empty = await audit(page);

    await openSpeech(page);
    await expect.poll(() => agent(page, '.status').textContent(), { timeout: 30_000 }).toMatch(/^Ready/);
    states.ready = await audit(page);

    await page.evaluate(ORCHESTRATOR);
    await ask(page, 'Please wait');
    await expect.poll(() => agent(page, '.stop').isVisible()).toBe(true);
    states.answering = await audit(page);
    await agent(page, '.stop').click();
    await expect.poll(() => agent(page, '.stopped').count()).toBe(1);

    await ask(page, 'What is on screen?');
    await expect.poll(() => agent(page, '.answer').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => agent(page, '.timeline .marker.tool').count()).toBeGreaterThan(0);
    states.answered = await audit(page);
    await screenshot(page, `a11y-answered-${scheme}`, false);

    await agent(page, '.settings > summary').click();
    await expect.poll(() => agent(page, '.device').textContent()).toMatch(/^This device: /);
    states['models panel open'] = await audit(page);
    await agent(page, '.settings > summary').click();

    await agent(page, '.transcript > summary').click();
    states['transcript open'] = await audit(page);

    await agent(page, 'input[type=file]').setInputFiles({ name: 'notes.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not a video\n'.repeat(80)) });
    await expect.poll(() => agent(page, '.alert').isVisible()).toBe(true);
    states.error = await audit(page);

    expect(states).toEqual(Object.fromEntries(Object.keys(states).map((state) => [state, []])));
    expect(g.external).toEqual([]);
    await g.context.close();
  });

  it('walks the whole path from the keyboard: open, ask, stop, ask, jump to a cited time, open both panels', async () => {
    const g = await guardedPage(browser(), { width: 1280, height: 800 });
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    /** What has focus inside the widget. */
    const focused = () =>
      page.evaluate(() => {
        const active = document.querySelector('sage-agent')?.shadowRoot?.activeElement as HTMLElement | null;
        if (!active) return null;
        const text = active.getAttribute('aria-label') ?? active.textContent?.trim() ?? '';
        return { tag: active.tagName, type: active.getAttribute('type'), text, inAnswer: Boolean(active.closest('.answer')), time: active.classList.contains('time') };
      });
    async function tabTo(what: string, match: (f: NonNullable<Awaited<ReturnType<typeof focused>>>) => boolean): Promise<void> {
      for (let i = 0; i < 120; i++) {
        await page.keyboard.press('Tab');
        const f = await focused();
        if (f && match(f)) return;
      }
      throw new Error(`${what} is not reachable with Tab`);
    }

    // Open a file: the picker opens from the keyboard.
    await tabTo('the file picker', (f) => f.type === 'file');
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Space');
    await (await chooser).setFiles('tests/fixtures/media/speech.mp4');
    await expect.poll(() => agent(page, '.status').textContent(), { timeout: 30_000 }).toMatch(/^Ready/);
    await page.evaluate(ORCHESTRATOR);

    // Ask, then Stop from the keyboard.
    await tabTo('the question box', (f) => f.text === 'Question about the video');
    await page.keyboard.type('Please wait');
    await page.keyboard.press('Enter');
    await expect.poll(() => agent(page, '.stop').isVisible()).toBe(true);
    await tabTo('Stop', (f) => f.text === 'Stop');
    await page.keyboard.press('Enter');
    await expect.poll(() => agent(page, '.stopped').count()).toBe(1);

    // Ask again (focus is back in the question box) and read the answer out.
    await expect.poll(async () => (await focused())?.text).toBe('Question about the video');
    await page.keyboard.type('What is on screen?');
    await page.keyboard.press('Enter');
    await expect.poll(() => agent(page, '.answer').count(), { timeout: 60_000 }).toBe(1);
    const announcer = agent(page, '[aria-live=polite]');
    await expect.poll(() => announcer.textContent()).toBe('Answer: At 00:02 the screen shows colour bars.');

    // Jump to the cited time.
    const video = agent(page, 'video');
    await video.evaluate((v: HTMLVideoElement) => {
      v.pause();
      v.currentTime = 12;
    });
    await tabTo('a time in the answer', (f) => f.inAnswer && f.time);
    await page.keyboard.press('Enter');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeLessThan(5);
    await video.evaluate((v: HTMLVideoElement) => v.pause());

    // Both panels open from the keyboard.
    for (const [name, selector] of [['Transcript', '.transcript'], ['Models and device', '.settings']] as const) {
      await tabTo(name, (f) => f.tag === 'SUMMARY' && f.text.startsWith(name));
      await page.keyboard.press('Enter');
      await expect.poll(() => agent(page, selector).evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    }
    expect(g.external).toEqual([]);
    await g.context.close();
  });
});

describe('layout', () => {
  /** Whether the element is on screen, whole, in the viewport as it stands (no scrolling). */
  const inView = (page: Page, selector: string) =>
    agent(page, selector).evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth;
    });

  it('at 1280×800 shows the player, the evidence timeline, the question and the answer without scrolling', async () => {
    const g = await guardedPage(browser(), { width: 1280, height: 800 });
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    expect(await agent(page, '.drop').evaluate((d) => d.getBoundingClientRect().height)).toBeGreaterThan(100);
    await openSpeech(page);
    // The drop zone is a button once a video is open.
    await expect.poll(() => agent(page, '.drop').evaluate((d) => d.getBoundingClientRect().height)).toBeLessThan(60);
    await expect.poll(() => agent(page, '.status').textContent(), { timeout: 30_000 }).toMatch(/^Ready/);
    await page.evaluate(ORCHESTRATOR);
    await ask(page, 'What is on screen?');
    await expect.poll(() => agent(page, '.answer').count(), { timeout: 60_000 }).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'layout-desktop', false);
    for (const selector of ['video', '.timeline', 'input[name=question]', '.answer-text']) expect(await inView(page, selector), selector).toBe(true);
    // Marks say what they are on focus, and seek when clicked.
    const mark = agent(page, '.timeline .marker.tool').first();
    expect(await mark.getAttribute('aria-label')).toBe('Looked at frames 00:02–00:06');
    await mark.click();
    await expect.poll(() => agent(page, 'video').evaluate((v: HTMLVideoElement) => Math.floor(v.currentTime))).toBe(2);
    await g.context.close();
  });

  it('at 390×844 stacks everything, with nothing wider than the screen', async () => {
    const g = await guardedPage(browser(), { width: 390, height: 844 });
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    await openSpeech(page);
    await expect.poll(() => agent(page, '.status').textContent(), { timeout: 30_000 }).toMatch(/^Ready/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'layout-phone');
    const media = await agent(page, '.media').boundingBox();
    const chat = await agent(page, '.chat').boundingBox();
    expect(chat!.y).toBeGreaterThanOrEqual(media!.y + media!.height);
    await g.context.close();
  });

  /** How often `text` appears in what the widget shows. */
  const timesShown = (page: Page, text: string) =>
    page.locator('sage-agent').evaluate((el, wanted) => (el.shadowRoot?.querySelector('.app') as HTMLElement).innerText.split(wanted).length - 1, text);

  it('says a failure once, where the question was asked', async () => {
    const g = await guardedPage(browser(), { width: 1280, height: 800 });
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    await agent(page, 'input[type=file]').setInputFiles({ name: 'notes.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not a video\n'.repeat(80)) });
    const alert = agent(page, '.alert');
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await timesShown(page, (await alert.textContent()) ?? '')).toBe(1);
    expect(await agent(page, '.chat .alert').count()).toBe(1);

    // A question whose orchestrator fails: the run says why, and the status line does not say it again.
    await openSpeech(page);
    await expect.poll(() => agent(page, '.status').textContent(), { timeout: 30_000 }).toMatch(/^Ready/);
    await page.evaluate(() => {
      document.querySelector('sage-agent')!.orchestrator = { generate: () => Promise.reject(new Error('broken')) };
    });
    await ask(page, 'What happens?');
    const failure = agent(page, '.outcome .error-text');
    await expect.poll(() => failure.count(), { timeout: 30_000 }).toBe(1);
    const message = (await failure.textContent()) ?? '';
    expect(message.length).toBeGreaterThan(10);
    expect(await timesShown(page, message)).toBe(1);
    await g.context.close();
  });
});
