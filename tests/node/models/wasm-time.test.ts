/**
 * The registry's WASM times are rates measured on the Qwen2.5-VL-3B shape times each model's planned
 * work; docs/models.md holds both tables and the rule. This recomputes every entry's figures from
 * those tables, so the registry, the docs' results column and the inputs cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../src/models/registry';

const DOC = readFileSync(join(resolve(import.meta.dirname, '../../..'), 'docs/models.md'), 'utf8');
const REPLY_TOKENS = 256;
const PREFILL_CHUNK = 512;

/** Rows of the markdown table whose header row starts with `header`, as cells. */
function table(header: string): string[][] {
  const lines = DOC.split('\n').map((line) => line.trim());
  const start = lines.findIndex((line) => line.startsWith(`| ${header}`));
  if (start < 0) throw new Error(`docs/models.md has no table headed "${header}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

const numbers = (cell: string) => [...cell.replaceAll(',', '').matchAll(/\d+(?:\.\d+)?/g)].map((match) => Number(match[0]));

function measured(): Record<string, number> {
  const value = (start: string) => {
    const row = table('measured on the Qwen2.5-VL-3B shape').find((cells) => cells[0]!.startsWith(start));
    if (!row) throw new Error(`no measured row "${start}"`);
    return numbers(row[1]!)[0]!;
  };
  return {
    decoderWeights: value('decoder weights'),
    visionWeights: value('vision weights'),
    shortPrefillTokens: 42,
    shortPrefill: value('prefill of 42 tokens'),
    longPrefillTokens: 511,
    longPrefill: value('prefill of 511 tokens'),
    decode: value('decode, '),
    vision: value('vision, one temporal patch'),
    visionPatches: 180,
    oneThread: value('one thread against two'),
  };
}

/** The rule in docs/models.md: [fast, slow] seconds, rounded to 10 s. */
function secondsFor(m: Record<string, number>, input: { decoder: number; vision: number; prompt: number; calls: number; patches: number }): [number, number] {
  const slope = (m.longPrefill! - m.shortPrefill!) / (m.longPrefillTokens! - m.shortPrefillTokens!);
  const intercept = m.shortPrefill! - m.shortPrefillTokens! * slope;
  const perRun = intercept / m.decoderWeights!;
  const perPromptToken = slope / m.decoderWeights!;
  const perReplyToken = m.decode! / m.decoderWeights!;
  const perPatch = (m.vision! / m.visionWeights! - perRun) / m.visionPatches!;
  const fast =
    Math.ceil(input.prompt / PREFILL_CHUNK) * perRun * input.decoder +
    input.prompt * perPromptToken * input.decoder +
    REPLY_TOKENS * perReplyToken * input.decoder +
    input.calls * perRun * input.vision +
    input.patches * perPatch * input.vision;
  const round = (seconds: number) => Math.round(seconds / 10) * 10;
  return [round(fast), round(fast * m.oneThread!)];
}

describe('WASM seconds per answer', () => {
  const rows = table('model (registry id)');
  const wasmVlms = MODELS.filter((entry) => entry.role === 'orchestrator-vlm' && entry.devices.wasm?.wasmSecondsPerAnswer);

  it('documents every WASM VLM that has a time, and only those', () => {
    expect(rows.map((cells) => cells[0]!.replaceAll('`', '')).sort()).toEqual(wasmVlms.map((entry) => entry.id).sort());
  });

  it.each(rows.map((cells) => [cells[0]!.replaceAll('`', ''), cells] as const))('%s: the registry holds what the measured rates and its planned work give', (id, cells) => {
    const [decoder, vision, prompt, calls, patches] = cells.slice(1, 6).map((cell) => numbers(cell)[0]!);
    const expected = secondsFor(measured(), { decoder: decoder!, vision: vision!, prompt: prompt!, calls: calls!, patches: patches! });
    const entry = MODELS.find((candidate) => candidate.id === id);
    expect(entry?.devices.wasm?.wasmSecondsPerAnswer, id).toEqual(expected);
    expect(numbers(cells[6]!), `${id}: the docs' seconds column`).toEqual(expected);
  });
});
