/**
 * The element's panels on their own: they render the state they are given and report gestures as
 * prefixed events, never reaching into the element.
 */
import { describe, expect, it } from 'vitest';
import { ProgressView } from '../../src/ui/progress-view';
import { TRANSCRIBE_TOGGLE, TRANSCRIPT_FORGET, TranscriptPanel } from '../../src/ui/transcript-panel';

describe('ProgressView', () => {
  it('shows one row per job, updates it in place, and removes the rows that are gone', () => {
    const view = new ProgressView();
    view.render([
      { id: 'skim', label: 'Skimming the whole video' },
      { id: 'vlm', label: 'Loading Qwen', done: 512 * 1024, total: 2 * 1024 * 1024, unit: 'bytes', files: [{ file: 'a.onnx', loaded: 1, total: 2 }] },
    ]);
    const rows = () => [...view.element.querySelectorAll(':scope > li')].map((row) => row.querySelector('.progress-text')!.textContent);
    expect(rows()).toEqual(['Skimming the whole video…', 'Loading Qwen: 512 KB of 2 MB']);
    const firstRow = view.element.querySelector(':scope > li');
    expect(view.element.querySelector(':scope > li:nth-child(2) .progress-files summary')!.textContent).toBe('1 file');
    view.render([
      { id: 'skim', label: 'Skimming the whole video' },
      { id: 'transcribe', label: 'Transcribing', done: 300, total: 700, unit: 'seconds' },
    ]);
    expect(rows()).toEqual(['Skimming the whole video…', 'Transcribing: 300 s of 700 s']);
    expect(view.element.querySelector(':scope > li')).toBe(firstRow);
    view.render([]);
    expect(view.element.childElementCount).toBe(0);
  });
});

describe('TranscriptPanel', () => {
  const segments = [
    { start: 1, end: 3, text: ' Preheat the oven.' },
    { start: 65, end: 68, text: ' Add two eggs.' },
  ];

  it('lists what was transcribed, searches it, and says how much is covered', () => {
    const panel = new TranscriptPanel();
    panel.reset('cake.mp4', 700);
    panel.show({ segments, coveredSeconds: 300, duration: 700 });
    const lines = () => [...panel.element.querySelectorAll('.segments li')].map((li) => li.textContent);
    expect(lines()).toEqual(['00:01Preheat the oven.', '01:05Add two eggs.']);
    expect(panel.element.querySelector('[role=status]')!.textContent).toBe('05:00 of 11:40 transcribed.');
    const search = panel.element.querySelector<HTMLInputElement>('input[type=search]')!;
    search.value = 'eggs';
    search.dispatchEvent(new Event('input'));
    expect(lines()).toEqual(['01:05Add two eggs.']);
    // A timestamp carries where to seek; the element handles the click.
    expect(panel.element.querySelector<HTMLElement>('.segments [data-seek]')!.dataset.seek).toBe('65');
  });

  it('reports "Forget" as an event, once something is transcribed', () => {
    const panel = new TranscriptPanel();
    panel.reset('cake.mp4', 700);
    panel.show({ segments: [], coveredSeconds: 0, duration: 700 });
    const forget = [...panel.element.querySelectorAll('button')].find((button) => button.textContent === 'Forget')!;
    expect(forget.disabled).toBe(true);
    panel.show({ segments, coveredSeconds: 300, duration: 700 });
    expect(forget.disabled).toBe(false);
    let forgets = 0;
    panel.element.addEventListener(TRANSCRIPT_FORGET, () => forgets++);
    forget.click();
    expect(forgets).toBe(1);
  });

  it('reports "Transcribe all" as an event and shows Stop while it runs; exports wait for text', () => {
    const panel = new TranscriptPanel();
    panel.reset('cake.mp4', 700);
    panel.show({ segments: [], coveredSeconds: 0, duration: 700 });
    const buttons = [...panel.element.querySelectorAll('button')];
    const [transcribe, srt, vtt] = buttons;
    expect([srt!.disabled, vtt!.disabled]).toEqual([true, true]);
    let toggles = 0;
    panel.element.addEventListener(TRANSCRIBE_TOGGLE, () => toggles++);
    transcribe!.click();
    expect(toggles).toBe(1);
    panel.showTranscribing(true);
    expect(transcribe!.textContent).toBe('Stop transcribing');
    panel.show({ segments, coveredSeconds: 700, duration: 700 });
    expect([transcribe!.disabled, srt!.disabled]).toEqual([true, false]);
  });

  it('a notice stays until the next video', () => {
    const panel = new TranscriptPanel();
    panel.notice('This browser cannot keep the transcript after the page closes.');
    const note = panel.element.querySelector<HTMLElement>('.note')!;
    expect(note.hidden).toBe(false);
    panel.reset('next.mp4', 10);
    expect(note.hidden).toBe(true);
  });
});
