import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../eval/report';
import { DURATION_BUCKETS, summarize } from '../../../eval/summary';
import { resultLine, transcriptCall } from './lines';

const lines = [
  resultLine({ id: 'a', duration: 30, correct: true }),
  resultLine({ id: 'b', duration: 40, correct: false, prediction: '<script>alert("x")</script>', tools: [transcriptCall(1)] }),
  resultLine({ id: 'c', duration: 2500, correct: true, modality: 'verbal' }),
];
const html = renderReport(summarize(lines), lines, '2026-01-01T00:00:00Z');

/** The figure whose caption is `title`. */
function figure(title: string): string {
  const start = html.indexOf(`<figcaption>${title}</figcaption>`);
  expect(start, title).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</figure>', start));
}

describe('renderReport', () => {
  it('is one self-contained page: no scripts, no external assets', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|https?:\/\//);
  });

  it('charts accuracy in every duration bucket of the paper, bars as tall as the accuracy', () => {
    const chart = figure('Accuracy by video duration (s)');
    for (const bucket of DURATION_BUCKETS) expect(chart).toContain(`>${bucket.label}</text>`);
    const heights = [...chart.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    // 0-60 holds one right of two, 2400+ one of one; the five empty buckets have no bar.
    expect(heights).toEqual([80, 160]);
    expect(chart.match(/>none</g)).toHaveLength(5);
    expect(chart).toContain('>n=2<');
  });

  it('charts the tool mix per bucket and accuracy by type, modality, difficulty and steps', () => {
    expect(figure('Tool calls per question, by video duration (s)')).toContain('verbal_transcript');
    expect(figure('Accuracy by modality')).toContain('>verbal</text>');
    for (const title of ['Accuracy by question type', 'Accuracy by difficulty', 'Questions by Stage-2 steps (0: single turn)']) figure(title);
    expect(html.match(/<svg /g)).toHaveLength(6);
  });

  it('lists every question with its verdict, text escaped', () => {
    expect(html.match(/<tr class="(ok|bad)">/g)).toHaveLength(3);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Accuracy 66.7% (2 of 3)');
  });
});
