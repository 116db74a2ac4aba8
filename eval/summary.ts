/**
 * The figures of a run, from its result lines: accuracy overall, by the paper's duration buckets
 * (lower bound included, as the release counts them), by question type, modality and difficulty;
 * the tool mix, Stage-2 steps, the share answered in a single turn, and time per question.
 */
import type { ModelIds, Outcome, ResultLine } from './records';

export const DURATION_BUCKETS = [
  { label: '0-60', min: 0, max: 60 },
  { label: '60-180', min: 60, max: 180 },
  { label: '180-300', min: 180, max: 300 },
  { label: '300-600', min: 300, max: 600 },
  { label: '600-1200', min: 600, max: 1200 },
  { label: '1200-2400', min: 1200, max: 2400 },
  { label: '2400+', min: 2400, max: Infinity },
] as const;

export const UNKNOWN_DURATION = 'unknown';

export function bucketOf(duration: number | null): string {
  if (duration === null) return UNKNOWN_DURATION;
  return DURATION_BUCKETS.find((bucket) => duration >= bucket.min && duration < bucket.max)?.label ?? UNKNOWN_DURATION;
}

export interface Tally {
  questions: number;
  correct: number;
  /** correct / questions; null with no questions. */
  accuracy: number | null;
}

export interface BucketFigures extends Tally {
  bucket: string;
  /** Tool calls by tool name, over the bucket's questions. */
  tools: Record<string, number>;
  tool_calls_per_question: number | null;
}

export interface Summary {
  questions: number;
  correct: number;
  accuracy: number | null;
  outcomes: Record<Outcome, number>;
  judged_by: Record<ResultLine['judged_by'], number>;
  /** Judge replies without a verdict (scored wrong). */
  judge_errors: number;
  /** Every bucket of the paper, in order, with or without questions; then `unknown`, if any. */
  by_duration: BucketFigures[];
  by_type: Record<string, Tally>;
  by_modality: Record<string, Tally>;
  by_difficulty: Record<string, Tally>;
  tools: { calls: number; per_question: number | null; questions_with_tools: number; errors: number; by_name: Record<string, number> };
  /** Stage-2 steps per question (0 for a single-turn answer, 10 for a run that gave up). */
  steps: { mean: number | null; max: number; histogram: Record<string, number> };
  /** Questions answered by Stage 1 alone, over all questions. */
  single_turn_share: number | null;
  seconds_per_question: { mean: number | null; median: number | null; max: number | null };
  /** Mean seconds per question in each stage (the judge's share too). */
  stage_seconds_mean: Record<'open' | 'skim' | 'stage1' | 'stage2' | 'tools' | 'judge', number | null>;
  /** Each distinct set of models in the results. */
  models: ModelIds[];
  /** Questions left out because their video was not found (not counted anywhere above). */
  missing_videos: number;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const round = (x: number | null, digits = 3): number | null => (x === null ? null : Number(x.toFixed(digits)));

function tally(lines: readonly ResultLine[]): Tally {
  const correct = lines.filter((line) => line.correct).length;
  return { questions: lines.length, correct, accuracy: round(ratio(correct, lines.length)) };
}

function groupBy(lines: readonly ResultLine[], key: (line: ResultLine) => string | null): Record<string, Tally> {
  const groups = new Map<string, ResultLine[]>();
  for (const line of lines) {
    const name = key(line) ?? 'unknown';
    groups.set(name, [...(groups.get(name) ?? []), line]);
  }
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, group]) => [name, tally(group)]));
}

function toolCounts(lines: readonly ResultLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of lines.flatMap((line) => line.tools)) counts[call.name] = (counts[call.name] ?? 0) + 1;
  return counts;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, x) => sum + x, 0) / values.length;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function count<K extends string>(lines: readonly ResultLine[], keys: readonly K[], of: (line: ResultLine) => K): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const line of lines) counts[of(line)] += 1;
  return counts;
}

export function summarize(lines: readonly ResultLine[], missingVideos = 0): Summary {
  const buckets = [...DURATION_BUCKETS.map((bucket) => bucket.label), UNKNOWN_DURATION];
  const byDuration = buckets
    .map((bucket) => {
      const group = lines.filter((line) => bucketOf(line.duration) === bucket);
      const tools = toolCounts(group);
      const calls = Object.values(tools).reduce((sum, n) => sum + n, 0);
      return { bucket, ...tally(group), tools, tool_calls_per_question: round(ratio(calls, group.length)) };
    })
    .filter((figures) => figures.bucket !== UNKNOWN_DURATION || figures.questions > 0);
  const byName = toolCounts(lines);
  const calls = lines.reduce((sum, line) => sum + line.tools.length, 0);
  const steps = lines.map((line) => line.steps);
  const totals = lines.map((line) => line.seconds.total + line.judge_seconds);
  const stageMean = (of: (line: ResultLine) => number) => round(mean(lines.map(of)), 2);
  const models = new Map(lines.map((line) => [JSON.stringify(line.models), line.models]));
  return {
    ...tally(lines),
    outcomes: count(lines, ['answer', 'gave-up', 'error'], (line) => line.outcome),
    judged_by: count(lines, ['option', 'judge', 'no-answer'], (line) => line.judged_by),
    judge_errors: lines.filter((line) => line.judge_error !== null).length,
    by_duration: byDuration,
    by_type: groupBy(lines, (line) => line.ques_type),
    by_modality: groupBy(lines, (line) => line.modality),
    by_difficulty: groupBy(lines, (line) => line.difficulty),
    tools: {
      calls,
      per_question: round(ratio(calls, lines.length)),
      questions_with_tools: lines.filter((line) => line.tools.length > 0).length,
      errors: lines.reduce((sum, line) => sum + line.tools.filter((call) => call.error).length, 0),
      by_name: byName,
    },
    steps: {
      mean: round(mean(steps), 2),
      max: steps.length === 0 ? 0 : Math.max(...steps),
      histogram: Object.fromEntries([...new Set(steps)].sort((a, b) => a - b).map((n) => [String(n), steps.filter((s) => s === n).length])),
    },
    single_turn_share: round(ratio(lines.filter((line) => line.single_turn).length, lines.length)),
    seconds_per_question: { mean: round(mean(totals), 2), median: round(median(totals), 2), max: totals.length === 0 ? null : round(Math.max(...totals), 2) },
    stage_seconds_mean: {
      open: stageMean((line) => line.seconds.open),
      skim: stageMean((line) => line.seconds.skim),
      stage1: stageMean((line) => line.seconds.stage1),
      stage2: stageMean((line) => line.seconds.stage2),
      tools: stageMean((line) => Object.values(line.seconds.tools).reduce((sum, s) => sum + s, 0)),
      judge: stageMean((line) => line.judge_seconds),
    },
    models: [...models.values()],
    missing_videos: missingVideos,
  };
}
