/**
 * The run as one static HTML page (inline SVG and CSS, no scripts or external assets), for people
 * who look rather than read: accuracy per duration bucket, the tool mix per bucket, accuracy by
 * type, modality and difficulty, the steps taken, and every question with its verdict.
 */
import type { ResultLine } from './records';
import { bucketOf, type Summary, type Tally } from './summary';

const TOOL_COLOURS = ['#3b6fd8', '#e07b20', '#2e9e5b', '#a347c2', '#c7392f', '#6b7a8f'];

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const percent = (x: number | null) => (x === null ? '–' : `${Math.round(x * 1000) / 10}%`);
const fixed = (x: number | null, digits = 1) => (x === null ? '–' : x.toFixed(digits));

interface Bar {
  label: string;
  /** 0..1 of the chart's height; null draws no bar. */
  value: number | null;
  /** Above the bar. */
  caption: string;
  /** Under the label. */
  note: string;
}

/** Vertical bars, one per item, on a 0-100% scale. */
function barChart(title: string, bars: readonly Bar[]): string {
  const slot = 84;
  const height = 160;
  const top = 28;
  const width = bars.length * slot + 40;
  const items = bars.map((bar, i) => {
    const x = 40 + i * slot + 12;
    const h = bar.value === null ? 0 : Math.max(1, bar.value * height);
    const y = top + height - h;
    return [
      bar.value === null ? '' : `<rect x="${x}" y="${y.toFixed(1)}" width="${slot - 24}" height="${h.toFixed(1)}" fill="#3b6fd8"/>`,
      `<text x="${x + (slot - 24) / 2}" y="${(y - 6).toFixed(1)}" text-anchor="middle" class="v">${esc(bar.caption)}</text>`,
      `<text x="${x + (slot - 24) / 2}" y="${top + height + 16}" text-anchor="middle">${esc(bar.label)}</text>`,
      `<text x="${x + (slot - 24) / 2}" y="${top + height + 31}" text-anchor="middle" class="n">${esc(bar.note)}</text>`,
    ].join('');
  });
  const grid = [0, 0.5, 1]
    .map((f) => {
      const y = top + height - f * height;
      return `<line x1="36" x2="${width}" y1="${y}" y2="${y}" class="g"/><text x="32" y="${y + 4}" text-anchor="end" class="n">${f * 100}%</text>`;
    })
    .join('');
  return figure(title, width, top + height + 40, grid + items.join(''));
}

function figure(title: string, width: number, height: number, body: string): string {
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">${body}</svg></figure>`;
}

function accuracyBars(groups: Record<string, Tally>): Bar[] {
  return Object.entries(groups).map(([label, t]) => ({ label, value: t.accuracy, caption: percent(t.accuracy), note: `n=${t.questions}` }));
}

/** Tool calls per question in each bucket, stacked by tool. */
function toolMixChart(summary: Summary): string {
  const names = Object.keys(summary.tools.by_name).sort();
  const slot = 84;
  const height = 160;
  const top = 28;
  const perBucket = summary.by_duration.map((b) => (b.questions === 0 ? 0 : Object.values(b.tools).reduce((s, n) => s + n, 0) / b.questions));
  const scale = Math.max(1, ...perBucket);
  const width = summary.by_duration.length * slot + 40;
  const bars = summary.by_duration.map((bucket, i) => {
    const x = 40 + i * slot + 12;
    let y = top + height;
    const segments = names.map((name, k) => {
      const share = bucket.questions === 0 ? 0 : (bucket.tools[name] ?? 0) / bucket.questions;
      const h = (share / scale) * height;
      y -= h;
      return h === 0 ? '' : `<rect x="${x}" y="${y.toFixed(1)}" width="${slot - 24}" height="${h.toFixed(1)}" fill="${TOOL_COLOURS[k % TOOL_COLOURS.length]}"><title>${esc(`${name}: ${share.toFixed(2)} per question`)}</title></rect>`;
    });
    return [
      ...segments,
      `<text x="${x + (slot - 24) / 2}" y="${(y - 6).toFixed(1)}" text-anchor="middle" class="v">${fixed(bucket.tool_calls_per_question, 2)}</text>`,
      `<text x="${x + (slot - 24) / 2}" y="${top + height + 16}" text-anchor="middle">${esc(bucket.bucket)}</text>`,
    ].join('');
  });
  const legend = names
    .map((name, k) => `<rect x="${40 + k * 200}" y="4" width="10" height="10" fill="${TOOL_COLOURS[k % TOOL_COLOURS.length]}"/><text x="${54 + k * 200}" y="13" class="n">${esc(name)}</text>`)
    .join('');
  return figure('Tool calls per question, by video duration (s)', Math.max(width, 40 + names.length * 200), top + height + 26, legend + bars.join(''));
}

function questionRows(lines: readonly ResultLine[]): string {
  return lines
    .map((line) => {
      const cut = (text: string | null) => esc((text ?? '—').length > 160 ? `${(text ?? '').slice(0, 157)}…` : (text ?? '—'));
      return `<tr class="${line.correct ? 'ok' : 'bad'}"><td>${line.correct ? '✓' : '✗'}</td><td>${esc(bucketOf(line.duration))}</td><td>${esc(line.ques_type)}</td><td>${esc(line.modality ?? '')}</td><td>${cut(line.question)}</td><td>${cut(line.gt_answer)}</td><td>${cut(line.prediction ?? line.message)}</td><td>${esc(line.judged_by)}</td><td>${line.steps}</td><td>${esc(line.tools.map((t) => t.name).join(', '))}</td><td>${line.seconds.total.toFixed(1)}</td></tr>`;
    })
    .join('\n');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}.muted{color:#5b6473}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.card{border:1px solid #d5dae3;border-radius:8px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:22px}figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:4px}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}svg text.n{fill:#5b6473;font-size:11px}svg text.v{font-weight:600}svg line.g{stroke:#e3e7ee}
.row{display:flex;flex-wrap:wrap;gap:24px}table{border-collapse:collapse;width:100%;font-size:12px}
td,th{border-bottom:1px solid #e3e7ee;padding:4px 6px;text-align:left;vertical-align:top}tr.bad td:first-child{color:#c7392f}tr.ok td:first-child{color:#2e9e5b}`;

export function renderReport(summary: Summary, lines: readonly ResultLine[], generatedAt: string): string {
  const models = summary.models.map((m) => `orchestrator ${m.orchestrator}, VLM ${m.vlm}, reasoner ${m.reasoner ?? 'app default'}, speech ${m.speech ?? 'app default'}`);
  const judges = [...new Set(lines.map((line) => line.judge_model).filter((id): id is string => id !== null))];
  const card = (label: string, value: string) => `<div class="card">${esc(label)}<b>${esc(value)}</b></div>`;
  const steps = Object.entries(summary.steps.histogram).map(([n, k]) => ({ label: n, value: k / Math.max(1, summary.questions), caption: String(k), note: '' }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SAGE eval: ${esc(percent(summary.accuracy))} of ${summary.questions}</title><style>${STYLE}</style></head>
<body>
<h1>Accuracy ${esc(percent(summary.accuracy))} (${summary.correct} of ${summary.questions})</h1>
<p class="muted">${esc(models.join('; ') || 'no results yet')}. Judge: ${esc(judges.join(', ') || 'not needed')}. Made ${esc(generatedAt)}.${summary.missing_videos > 0 ? ` ${summary.missing_videos} questions left out: video not found.` : ''}</p>
<div class="cards">${[
    card('answered', `${summary.outcomes.answer}`),
    card('gave up / failed', `${summary.outcomes['gave-up']} / ${summary.outcomes.error}`),
    card('single turn', percent(summary.single_turn_share)),
    card('tool calls / question', fixed(summary.tools.per_question, 2)),
    card('Stage-2 steps (mean)', fixed(summary.steps.mean, 2)),
    card('s / question (median)', fixed(summary.seconds_per_question.median)),
  ].join('')}</div>
${barChart('Accuracy by video duration (s)', summary.by_duration.map((b) => ({ label: b.bucket, value: b.accuracy, caption: b.questions === 0 ? 'none' : percent(b.accuracy), note: `n=${b.questions}` })))}
${toolMixChart(summary)}
<div class="row">
${barChart('Accuracy by question type', accuracyBars(summary.by_type))}
${barChart('Accuracy by modality', accuracyBars(summary.by_modality))}
${barChart('Accuracy by difficulty', accuracyBars(summary.by_difficulty))}
${barChart('Questions by Stage-2 steps (0: single turn)', steps)}
</div>
<h2>Questions</h2>
<table><thead><tr><th></th><th>duration</th><th>type</th><th>modality</th><th>question</th><th>reference</th><th>prediction</th><th>judged by</th><th>steps</th><th>tools</th><th>s</th></tr></thead>
<tbody>
${questionRows(lines)}
</tbody></table>
</body></html>
`;
}
