/**
 * `npm run eval`'s harness end to end on our own question set: the built app in headless Chromium,
 * the real media worker and real Whisper, scripted orchestrators that read what they answer from
 * the skim frames and the transcript, and the rules judge behind the real judge prompt. The
 * outputs stay in test-results/eval/ (report.html included) for a look after the run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEvalPage } from '../../eval/build';
import { runEval, type EvalOptions } from '../../eval/harness';
import { makeQuestionSet } from '../../eval/make-question-set';
import { VIDEOS, questionLines } from '../../eval/question-set/spec';
import type { ResultLine } from '../../eval/records';
import type { ScriptedOrchestratorName } from '../../eval/scripted/orchestrators';
import { DURATION_BUCKETS } from '../../eval/summary';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium';

const ROOT = 'test-results/eval';
const SET = join(ROOT, 'set');
const PAGE = join(ROOT, 'page');
const lines = questionLines();
const listening = lines.filter((line) => line.modality !== 'visual').length;

let questions = '';

beforeAll(async () => {
  buildEvalPage(PAGE);
  // Kept between runs: made again only when the spec or its script changes.
  questions = await makeQuestionSet(SET);
}, 300_000);

function options(name: string, scripted: ScriptedOrchestratorName, log: string[]): EvalOptions {
  return {
    questions,
    videos: SET,
    out: join(ROOT, name),
    limit: null,
    attributes: {},
    scripted,
    judge: { kind: 'rules' },
    browser: { kind: 'launch', executablePath: CHROMIUM_PATH },
    buildApp: false,
    evalPage: PAGE,
    questionTimeoutMs: 5 * 60_000,
    log: (line) => log.push(line),
  };
}

const results = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ResultLine);

describe('npm run eval on the generated question set', () => {
  it('scores 100% in every duration bucket with an orchestrator that answers from what it saw and heard, and resumes a stopped run', async () => {
    const log: string[] = [];
    const correct = options('correct', 'scripted-correct', log);
    rmSync(correct.out, { recursive: true, force: true });

    const first = await runEval({ ...correct, limit: 5 });
    expect(first).toMatchObject({ answered: 5, judged: 5, summary: { questions: 5 } });
    const answersBefore = readFileSync(first.files.answers, 'utf8');

    const run = await runEval(correct);
    expect(run.answered, 'only the questions not answered before').toBe(lines.length - 5);
    expect(run.judged).toBe(lines.length - 5);
    expect(readFileSync(run.files.answers, 'utf8').startsWith(answersBefore)).toBe(true);
    expect(log).toContain(`5 questions already answered in ${run.files.answers}`);

    const { summary } = run;
    expect(summary).toMatchObject({ questions: lines.length, correct: lines.length, accuracy: 1, outcomes: { answer: lines.length, 'gave-up': 0, error: 0 } });
    expect(summary.by_duration.map((b) => [b.bucket, b.accuracy])).toEqual(DURATION_BUCKETS.map((b) => [b.label, 1]));
    expect(summary.judged_by.option, 'letters decide some multiple-choice answers').toBeGreaterThan(0);
    expect(summary.judged_by.judge, 'the judge decides the rest').toBe(lines.length - summary.judged_by.option);
    expect(summary.tools.by_name).toEqual({ verbal_transcript: listening });
    expect(summary.single_turn_share).toBeCloseTo((lines.length - listening) / lines.length, 3);
    expect(summary.models).toEqual([{ orchestrator: 'scripted-correct', vlm: expect.any(String), reasoner: null, speech: null }]);

    const byQuestion = results(run.files.results);
    for (const line of byQuestion) {
      // Durations come from the files (the set's lines have none), within a frame.
      const video = VIDEOS.find((v) => v.id === line.video_id)!;
      expect(Math.abs(line.duration! - video.duration), line.video_id).toBeLessThanOrEqual(1);
      if (line.judged_by === 'judge') expect(line.judge_reasoning).toContain(line.gt_answer);
      if (line.modality !== 'visual') expect(line.seconds.tools.verbal_transcript).toBeGreaterThan(0);
      expect(line.seconds.total).toBeGreaterThanOrEqual(line.seconds.stage1);
    }
    expect(readFileSync(run.files.report, 'utf8')).toContain(`Accuracy 100% (${lines.length} of ${lines.length})`);

    // Nothing left to do: no browser, the same figures.
    const again = await runEval(correct);
    expect(again).toMatchObject({ answered: 0, judged: 0, summary: { accuracy: 1, questions: lines.length } });
    // A run with other models into the same folder would mix two runs' answers.
    await expect(runEval({ ...correct, scripted: 'scripted-wrong' })).rejects.toThrow(/records a run with other models or another judge/);
  }, 600_000);

  it('scores 0% with one that answers what it knows to be wrong, or never answers', async () => {
    const wrong = options('wrong', 'scripted-wrong', []);
    rmSync(wrong.out, { recursive: true, force: true });
    const { summary, files } = await runEval(wrong);
    expect(summary).toMatchObject({ questions: lines.length, correct: 0, accuracy: 0 });
    expect(summary.by_duration.map((b) => b.accuracy)).toEqual(DURATION_BUCKETS.map(() => 0));
    const both = lines.filter((line) => line.modality === 'both').length;
    expect(summary.outcomes['gave-up']).toBe(both);
    expect(summary.judged_by['no-answer']).toBe(both);
    expect(summary.judged_by.option).toBeGreaterThan(0);
    expect(summary.judged_by.judge).toBeGreaterThan(0);
    for (const line of results(files.results).filter((l) => l.outcome === 'gave-up')) {
      expect(line).toMatchObject({ prediction: null, steps: 10, message: expect.stringMatching(/could not produce an answer after 10 steps/i) });
    }
  }, 300_000);

  it('drives a Chromium someone started with a debugging port, over CDP, and leaves it running', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'sage-eval-cdp-'));
    // Its own process group, so its helper processes can be ended and waited for with it.
    const chromium = spawn(CHROMIUM_PATH, ['--headless', ...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { detached: true });
    try {
      const endpoint = await new Promise<string>((done, fail) => {
        let said = '';
        chromium.stderr.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          // Up to the line's end: stderr may arrive with the address cut in two.
          const match = /DevTools listening on (ws:\/\/\S+)\r?\n/.exec(said);
          if (match) done(match[1]!);
        });
        chromium.once('exit', () => fail(new Error(`Chromium exited: ${said}`)));
      });
      const log: string[] = [];
      const cdp = { ...options('cdp', 'scripted-correct', log), limit: 1, browser: { kind: 'cdp', url: endpoint } as const };
      rmSync(cdp.out, { recursive: true, force: true });
      const { summary } = await runEval(cdp);
      expect(summary, log.join('\n')).toMatchObject({ questions: 1, accuracy: 1 });
      expect(chromium.exitCode).toBeNull();
    } finally {
      // Chromium's helper processes outlive it for a moment and keep writing the profile, so the
      // whole group is ended and the profile removed once none of it is left.
      await endProcessGroup(chromium.pid!);
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    }
  }, 180_000);
});

/** Sends SIGTERM to a process group, then SIGKILL after 5 s; resolves once none of it is left (or after 15 s). */
async function endProcessGroup(pgid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, name);
    } catch {
      // The group is already gone.
    }
  };
  signal('SIGTERM');
  for (let waited = 0; alive() && waited < 15_000; waited += 100) {
    if (waited === 5000) signal('SIGKILL');
    await new Promise((done) => setTimeout(done, 100));
  }
}
