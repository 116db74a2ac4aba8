/**
 * `<sage-agent>` opening files that only partly work here, with the real media worker: the status
 * line ends in a true final state and the page promises only what can run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineSageAgent, SageAgentElement } from '../../src/ui/sage-agent-element';
import { AppError } from '../../src/core/errors';
import { fixtureFile } from './media-helpers';
import { ScriptedModel, stage1Answer } from '../node/agent/doubles';

defineSageAgent();
let element: SageAgentElement | null = null;

afterEach(() => {
  element?.remove();
  element = null;
});

function mount(): SageAgentElement {
  element = document.createElement('sage-agent');
  document.body.append(element);
  return element;
}

const part = (el: SageAgentElement, selector: string) => el.shadowRoot!.querySelector<HTMLElement>(selector)!;
const statusText = (el: SageAgentElement) => part(el, '.status').textContent ?? '';
const questionDisabled = (el: SageAgentElement) => (part(el, 'input[name=question]') as HTMLInputElement).disabled;

/** Opens a file and waits until the status line leaves the skimming phase. */
/** The note on the vision model that follows "Ready" once its storage is checked (what the first question downloads). */
const VISION_NOTE = / (The first question downloads|Questions are answered from the speech:) .*$/;

/** Opens `file` and returns the status line once opened, without the vision model's note. */
async function open(el: SageAgentElement, file: File): Promise<string> {
  await el.openVideo(file, file.name);
  // Past reading and skimming (for a file with no frames to skim, its own passing line).
  await expect.poll(() => statusText(el), { timeout: 30_000 }).not.toMatch(/^(Reading|Skimming|Questions use its speech)/);
  return statusText(el).replace(VISION_NOTE, '');
}

describe('<sage-agent> opening files that partly work', () => {
  it('HEVC video with AAC audio: no skim, speech questions, and why', async () => {
    const el = mount();
    const status = await open(el, await fixtureFile('hevc-aac.mp4'));
    expect(status).toBe('Ready: questions use its speech. This video uses HEVC (H.265), which this browser cannot decode. Questions about what is seen cannot be answered.');
    expect(questionDisabled(el)).toBe(false);
    expect(part(el, '.progress').textContent).not.toMatch(/Skimming/);
  });

  it('DTS audio: frames are skimmed and the page says nothing can be heard', async () => {
    const el = mount();
    const status = await open(el, await fixtureFile('dts.mkv'));
    expect(status).toMatch(/^Ready: skimmed \d+ frames\. This file's audio uses DTS, which this browser cannot decode\. Nothing said in it can be heard\.$/);
    expect(part(el, '.details').textContent).toContain('dts · 48 kHz · 2 channels (cannot be decoded here)');
    expect(questionDisabled(el)).toBe(false);
  });

  it('HEVC video with no audio: nothing can be used, and no question can be asked', async () => {
    const el = mount();
    const status = await open(el, await fixtureFile('hevc.mp4'));
    expect(status).toMatch(/^Nothing in this file can be used in this browser\. This video uses HEVC/);
    expect(questionDisabled(el)).toBe(true);
  });

  it('a file cut short is skimmed over its readable part and says how much that is', async () => {
    const el = mount();
    const whole = await fixtureFile('counter.mp4');
    const status = await open(el, new File([whole.slice(0, Math.floor(whole.size * 0.4))], 'cut.mp4'));
    expect(status).toMatch(/^Ready: skimmed 1[12] frames\. The file is incomplete: only the first 00:00:1[01] of 00:01:00 can be read, so questions use that part\.$/);
    expect(part(el, '.details').textContent).toMatch(/Readablethe first 00:1[01] \(the file is incomplete\)/);
    expect(questionDisabled(el)).toBe(false);
  });

  it('AC-3 audio decodes through the extension, so nothing is promised away', async () => {
    const el = mount();
    expect(await open(el, await fixtureFile('ac3.mp4'))).toMatch(/^Ready: skimmed \d+ frames\.$/);
  });
});

describe('<sage-agent src>', () => {
  it('a src that cannot be fetched ends with an alert, not a "Fetching" status', async () => {
    const el = mount();
    el.setAttribute('src', '/no/such/video.mp4');
    await expect.poll(() => part(el, '.alert').textContent).toMatch(/could not be fetched \(404\)/);
    expect(statusText(el)).toBe('');
  });
});

describe('<sage-agent> playing what its <video> element cannot', () => {
  it('MPEG-TS: the frame player shows it, says why, and a timestamp seeks it', async () => {
    const el = mount();
    await open(el, await fixtureFile('counter.m2t'));
    await expect.poll(() => part(el, '.player-note').textContent).toBe(
      "This browser's player cannot play MPEG-TS; frames are drawn from the file instead, with its audio.",
    );
    expect(part(el, 'video').hidden).toBe(true);
    const canvas = part(el, '.player-slot canvas') as HTMLCanvasElement;
    expect(canvas.hidden).toBe(false);
    // What the agent cites can be looked at: a timestamp button seeks the frame player.
    const button = document.createElement('button');
    button.dataset.seek = '5';
    part(el, '.log').append(button);
    button.click();
    const time = part(el, '.frame-time');
    await expect.poll(() => time.textContent).toMatch(/^00:0[5-9]/);
  });

  it('HEVC with AAC: no picture to draw, so only the sound plays, and the page says so', async () => {
    const el = mount();
    await open(el, await fixtureFile('hevc-aac.mp4'));
    await expect.poll(() => part(el, '.player-note').textContent).toMatch(/HEVC \(H\.265\) video; only the sound plays/);
    expect((part(el, '.player-slot canvas') as HTMLCanvasElement).hidden).toBe(true);
  });

  it('AC-3 audio, which the element cannot play: the frame player plays it with the extension decoding its sound', async () => {
    const el = mount();
    await open(el, await fixtureFile('ac3.mp4'));
    await expect.poll(() => part(el, '.player-note').textContent).toBe(
      "This browser's player cannot play AC-3 audio; frames are drawn from the file instead, with its audio.",
    );
  });

  it('H.264 in MP4 stays with the <video> element', async () => {
    const el = mount();
    await open(el, await fixtureFile('counter.mp4'));
    expect(part(el, 'video').hidden).toBe(false);
    expect(part(el, '.player-slot').childElementCount).toBe(0);
  });
});

describe('<sage-agent> attributes, events and overlapping opens', () => {
  const select = (el: SageAgentElement, label: string) => el.shadowRoot!.querySelector<HTMLSelectElement | HTMLInputElement>(`[aria-label="${label}"]`)!;

  it('speech, reasoner and model-source set by the host after creation show in the models panel', () => {
    const el = mount();
    el.setAttribute('speech', 'whisper-tiny');
    el.setAttribute('reasoner', 'off');
    el.setAttribute('model-source', './models/my-export');
    expect(select(el, 'Speech model').value).toBe('whisper-tiny');
    expect(select(el, 'Text reasoner').value).toBe('off');
    expect(select(el, 'Load the vision-language model from').value).toBe('./models/my-export');
    el.removeAttribute('reasoner');
    expect(select(el, 'Text reasoner').value).toBe('');
  });

  it('a choice in the models panel becomes the attribute', () => {
    const el = mount();
    const speech = select(el, 'Speech model') as HTMLSelectElement;
    speech.value = 'whisper-tiny';
    speech.dispatchEvent(new Event('change'));
    expect(el.getAttribute('speech')).toBe('whisper-tiny');
    speech.value = '';
    speech.dispatchEvent(new Event('change'));
    expect(el.hasAttribute('speech')).toBe(false);
  });

  it('removed and shown again (a framework re-attaching it), it opens files as before', async () => {
    const el = mount();
    el.setAttribute('tools', 'verbal_transcript');
    await open(el, await fixtureFile('counter.mp4'));
    el.remove();
    await new Promise((done) => setTimeout(done, 0));
    document.body.append(el);
    expect(el.getAttribute('tools')).toBe('verbal_transcript');
    expect(await open(el, await fixtureFile('counter.mp4'))).toMatch(/^Ready: skimmed \d+ frames\.$/);
  });

  it('errors arrive as typed sage-error events', async () => {
    const el = mount();
    const codes: string[] = [];
    el.addEventListener('sage-error', (event) => codes.push(event.detail.error.code));
    await el.openVideo(new File(['not a video'.repeat(40)], 'notes.mp4'), 'notes.mp4');
    expect(codes).toEqual(['not-media']);
  });

  it('of two quick opens the later wins, and the earlier file is closed', async () => {
    const el = mount();
    const [a, b] = await Promise.all([fixtureFile('counter.mp4'), fixtureFile('dts.mkv')]);
    await Promise.all([el.openVideo(a, a.name), el.openVideo(b, b.name)]);
    expect(part(el, '.details').textContent).toContain('dts.mkv');
    // The media worker holds the open files; only the element's own client can ask it.
    const media = (el as unknown as { workspace: { enginesMade: { media: { stats(): Promise<{ openFiles: number }> } } } }).workspace.enginesMade.media;
    await expect.poll(async () => (await media.stats()).openFiles).toBe(1);
  });
});

describe('<sage-agent src> written in the page before the element is defined', () => {
  it('fetches the video once', async () => {
    const holder = document.createElement('div');
    holder.innerHTML = '<sage-agent-late src="/no/such/late.mp4"></sage-agent-late>';
    document.body.append(holder);
    const fetched: string[] = [];
    const realFetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      fetched.push(input instanceof Request ? input.url : input.toString());
      return realFetch(input, init);
    };
    try {
      // A constructor defines one tag only, so the late tag gets a subclass of the element.
      customElements.define('sage-agent-late', class extends SageAgentElement {});
      const late = holder.firstElementChild as SageAgentElement;
      await expect.poll(() => part(late, '.alert').textContent).toMatch(/could not be fetched/);
      expect(fetched.filter((url) => url.includes('late.mp4'))).toHaveLength(1);
    } finally {
      window.fetch = realFetch;
      holder.remove();
    }
  });
});

describe('<sage-agent> drop, ask and Stop (real media worker, scripted orchestrator)', () => {
  const askInput = (el: SageAgentElement) => part(el, 'input[name=question]') as HTMLInputElement;

  async function dropFile(el: SageAgentElement, file: File): Promise<void> {
    const data = new DataTransfer();
    data.items.add(file);
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    await expect.poll(() => statusText(el), { timeout: 30_000 }).toMatch(/^Ready/);
  }

  it('a dropped file opens; a question is answered from the skim, with events and the answer shown', async () => {
    const el = mount();
    el.orchestrator = new ScriptedModel([stage1Answer('A counter.')]);
    await dropFile(el, await fixtureFile('counter.mp4'));
    expect(part(el, '.details').textContent).toContain('counter.mp4');
    const events: string[] = [];
    el.addEventListener('sage-step', (event) => events.push(event.detail.type));
    const answers: string[] = [];
    el.addEventListener('sage-answer', (event) => answers.push(event.detail.answer));
    askInput(el).value = 'What is shown?';
    part(el, 'form.ask').dispatchEvent(new Event('submit', { cancelable: true }));
    await expect.poll(() => answers).toEqual(['A counter.']);
    expect(events[0]).toBe('stage-started');
    expect(events.at(-1)).toBe('answer');
    expect(part(el, '.answer-text').textContent).toBe('A counter.');
    expect(part(el, '.question').textContent).toBe('What is shown?');
    expect(askInput(el).value).toBe('');
  });

  it("shows what the model works through before its first token, until the reply starts", async () => {
    const el = mount();
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const reply = stage1Answer('A counter.');
    el.orchestrator = {
      generate: async (request) => {
        request.onWork?.({ phase: 'vision', done: 2, total: 4 });
        request.onWork?.({ phase: 'prefill', done: 710, total: 2048 });
        await released;
        request.onToken?.(reply);
        return reply;
      },
    };
    await dropFile(el, await fixtureFile('counter.mp4'));
    const answered = el.ask('What is shown?');
    await expect.poll(() => el.shadowRoot!.querySelector('.step.stage .work')?.textContent).toBe('Reading the prompt: 710 of 2,048 tokens');
    release();
    await answered;
    expect(el.shadowRoot!.querySelector('.step.stage .work')).toBeNull();
    expect(part(el, '.answer-text').textContent).toBe('A counter.');
  });

  it('Stop ends a running question: Ask comes back, and no error is reported', async () => {
    const el = mount();
    el.orchestrator = {
      generate: (request) => new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new AppError('cancelled', 'Stopped.')))),
    };
    await dropFile(el, await fixtureFile('counter.mp4'));
    const errors: string[] = [];
    el.addEventListener('sage-error', (event) => errors.push(event.detail.error.code));
    const asked = el.ask('How long is it?');
    const stop = part(el, 'button.stop');
    await expect.poll(() => stop.hidden).toBe(false);
    expect((part(el, 'button[type=submit]') as HTMLButtonElement).hidden).toBe(true);
    stop.click();
    await asked;
    expect(stop.hidden).toBe(true);
    expect((part(el, 'button[type=submit]') as HTMLButtonElement).hidden).toBe(false);
    expect(errors).toEqual([]);
  });
});
