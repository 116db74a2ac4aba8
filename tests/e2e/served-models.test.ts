/**
 * A deployment with pulled models: the build serves the default VLM's q4 files (the tiny
 * random-weight model under the real repository's path, see served-model-fixture.ts). With every
 * request beyond 127.0.0.1 refused, the app loads that VLM from the site on WebGPU (Chromium's
 * software adapter) and runs perform_reasoning on it; nothing goes to the Hub.
 */
import { describe, expect, inject, it } from 'vitest';
import { askScripted, browserForFile, guardedPage, openSpeech, screenshot, SCRIPTED_LOOKING_ORCHESTRATOR, SPEECH } from './browser';
import { SERVED_REASONER_DTYPE, SERVED_REASONER_ID, SERVED_VLM_ID } from './served-model-fixture';
import { TINY_TEST_VLM_ID, getModel, mlcBuildFor } from '../../src/models/registry';

const origin = inject('origin');
const browser = browserForFile({ webgpu: true });

describe('models served by the site (pulled with models:pull)', () => {
  it('the VLM loads from models/ with no request leaving the machine, and answers', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    expect(await page.evaluate(() => fetch('models/served.json').then((r) => r.json()))).toEqual({
      models: { [SERVED_VLM_ID]: ['q4'], [SERVED_REASONER_ID]: [SERVED_REASONER_DTYPE] },
    });
    await page.evaluate((id) => document.querySelector('sage-agent')!.setAttribute('model', id), SERVED_VLM_ID);
    await openSpeech(page);
    const answer = await (await askScripted(page, SCRIPTED_LOOKING_ORCHESTRATOR, 'What do the frames show?')).answer;

    // The VLM's own words reached the answer: not the placeholder for an empty or missing reply.
    expect(answer).toMatch(/^The frames show: /);
    expect(answer).not.toMatch(/\(nothing\)|gave no answer/);
    const weights = g.requested.filter((url) => /\/dist\/models\/onnx-community\/Qwen2\.5-VL-3B-Instruct-ONNX\/onnx\/\w+_q4\.onnx$/.test(url));
    // Each of the three graphs, from this site (the service worker's own fetches appear as well).
    expect(new Set(weights).size).toBe(3);
    await page.locator('sage-agent .settings > summary').click();
    await expect.poll(() => page.locator('sage-agent .settings [role=status]').first().textContent()).toBe('Loaded, running on WebGPU.');
    await expect.poll(() => page.locator('sage-agent .models tr.in-use th').first().textContent()).toContain('served with the app');
    await screenshot(page, 'app-served-vlm');
    expect(g.external).toEqual([]);
    await g.context.close();
  });

  it('SAGE-MM, picked in settings, says what it needs, then runs from an export folder typed there', async () => {
    const g = await guardedPage(browser());
    const { page } = g;
    await page.goto(`${origin}/dist/index.html`);
    await openSpeech(page);
    await page.evaluate(SCRIPTED_LOOKING_ORCHESTRATOR);
    await page.locator('sage-agent .settings > summary').click();
    await page.getByRole('combobox', { name: 'Vision-language model' }).selectOption('sage-mm-qwen2.5-vl-7b');
    const input = page.getByRole('textbox', { name: 'Question about the video' });
    const outcomes = page.locator('sage-agent .outcome');
    await input.fill('What do the frames show?');
    await input.press('Enter');
    // The orchestrator is scripted, so the VLM is first needed by perform_reasoning, whose step says why it failed.
    await expect.poll(() => outcomes.last().textContent(), { timeout: 60_000 }).toMatch(/The frames show/);
    expect(await page.locator('sage-agent .turn').last().textContent()).toMatch(/no browser build yet\. Give the location of an export under “Load it from”/);

    // The export's layout is the default VLM's, so the served folder stands in for one.
    const source = page.getByRole('textbox', { name: 'Load the vision-language model from' });
    await source.fill('./models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX');
    await source.press('Enter');
    await expect.poll(() => page.evaluate(() => document.querySelector('sage-agent')!.getAttribute('model-source'))).toBe(
      './models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX',
    );
    await input.fill('And now?');
    await input.press('Enter');
    await expect.poll(() => outcomes.count()).toBe(2);
    // The tiny model's real q4 graphs (MatMulNBits, GatherBlockQuantized) on the software WebGPU
    // adapter: over 90 s on a busy two-core machine.
    await expect.poll(() => outcomes.last().textContent(), { timeout: 300_000 }).toMatch(/The frames show: (?!\(nothing\))/);
    await expect.poll(() => page.locator('sage-agent .settings [role=status]').first().textContent()).toBe('Loaded, running on WebGPU.');
    await expect.poll(() => page.locator('sage-agent .models tr.in-use th').first().textContent()).toContain('from ./models/onnx-community/');
    // The chooser knows where the export is now (its other notes, e.g. on buffer sizes, stay).
    expect(await page.locator('sage-agent .settings .notes').textContent()).not.toMatch(/no browser build yet/);
    await screenshot(page, 'app-sage-mm-from-folder');
    expect(g.external).toEqual([]);
    await g.context.close();
  }, 480_000);

  it('the web-llm reasoner is fetched from the site too, and the VLM takes over when it cannot start', async () => {
    const build = mlcBuildFor(getModel(SERVED_REASONER_ID), SERVED_REASONER_DTYPE);
    if (!build) throw new Error('no such web-llm build');
    const g = await guardedPage(browser());
    const { page } = g;
    const reasonerWorkers: string[] = [];
    page.on('worker', (worker) => {
      if (worker.url().includes('webllm')) reasonerWorkers.push(worker.url());
    });
    await page.goto(`${origin}/dist/index.html`);
    // The orchestrator is the tiny test model (WASM only) from the served stand-in folder: its
    // Stage 1 takes seconds there, minutes on the software WebGPU adapter. web-llm still needs WebGPU.
    await page.evaluate((id) => {
      const agent = document.querySelector('sage-agent')!;
      agent.setAttribute('model', id);
      agent.setAttribute('model-source', './models/onnx-community/Qwen2.5-VL-3B-Instruct-ONNX');
    }, TINY_TEST_VLM_ID);
    await page.evaluate((id) => document.querySelector('sage-agent')!.setAttribute('reasoner', id), SERVED_REASONER_ID);
    await openSpeech(page);
    // No scripted orchestrator: the (tiny) VLM does Stage 1, and Stage 2 asks for the reasoner.
    const input = page.getByRole('textbox', { name: 'Question about the video' });
    await input.fill('What happens?');
    await input.press('Enter');
    const notice = page.locator('sage-agent .step.note', { hasText: 'could not be loaded. The vision-language model does the step-by-step reasoning instead.' });
    await expect.poll(() => notice.count(), { timeout: 90_000 }).toBe(1);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => input.isDisabled()).toBe(false);
    expect(reasonerWorkers).toHaveLength(1);

    // Follow-ups on this video stay with the VLM; the next video gets a fresh reasoner worker.
    await page.locator('sage-agent input[type=file]').setInputFiles(SPEECH);
    await expect.poll(() => page.locator('sage-agent .turn').count()).toBe(0);
    await expect.poll(() => page.locator('sage-agent .details').isHidden()).toBe(false);
    await input.fill('And now?');
    await input.press('Enter');
    await expect.poll(() => notice.count(), { timeout: 90_000 }).toBe(1);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => input.isDisabled()).toBe(false);
    expect(reasonerWorkers).toHaveLength(2);

    const site = `${origin}/dist/models/mlc-ai/`;
    expect(g.requested).toContain(`${site}${build.modelId}/resolve/main/mlc-chat-config.json`);
    expect(g.requested).toContain(`${site}libs/${build.modelLib}`);
    await screenshot(page, 'app-served-reasoner-fell-back');
    expect(g.external).toEqual([]);
    await g.context.close();
  });
});
