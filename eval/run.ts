/**
 * `npm run eval -- --questions FILE.jsonl --videos DIR [options]` (cli.ts lists them): measures
 * answer quality the way SAGE-Bench does, with the built app in a browser. Progress goes to
 * stderr; the summary's main figures to stdout.
 */
import { isAppError } from '../src/core/errors';
import { parseEvalArgs } from './cli';
import { runEval } from './harness';

const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

try {
  const options = parseEvalArgs(process.argv.slice(2));
  const run = await runEval({ ...options, evalPage: null, log: (line) => console.error(line) });
  const { summary } = run;
  console.log(`accuracy ${percent(summary.accuracy)} (${summary.correct}/${summary.questions})`);
  for (const bucket of summary.by_duration) console.log(`  ${bucket.bucket.padEnd(10)} ${percent(bucket.accuracy).padStart(6)}  n=${bucket.questions}`);
  console.log(`single turn ${percent(summary.single_turn_share)}, tool calls/question ${summary.tools.per_question ?? '–'}, mean steps ${summary.steps.mean ?? '–'}, median s/question ${summary.seconds_per_question.median ?? '–'}`);
  console.log(`wrote ${run.files.results}, ${run.files.summary} and ${run.files.report}`);
} catch (error) {
  console.error(isAppError(error) ? error.message : error);
  process.exitCode = 1;
}
