/**
 * One evaluation run, in two passes over the questions, each resumable:
 * 1. answer: every question not yet in `answers.jsonl` goes through the built app in a browser
 *    page (open the video, ask, record the run), one line appended per question;
 * 2. judge: every answer not yet in `results.jsonl` is scored (by option letter, or by the judge
 *    in a page of its own, opened after the app's page is closed so the two never hold GPU
 *    memory at once), one line appended per question.
 * Then `summary.json` and `report.html` are written from the results of the chosen questions.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright';
import { AppError } from '../src/core/errors';
import { REPO_ROOT, buildApp, buildEvalPage } from './build';
import { openBrowser, type BrowserChoice, type RunBrowser } from './browser';
import { appendJsonl, readJsonl } from './jsonl';
import type { JudgeChoice } from './page/api';
import { parseQuestions, videoFile, type EvalQuestion } from './questions';
import type { AnswerLine, PageAnswer, ResultLine } from './records';
import { renderReport } from './report';
import { RULES_JUDGE } from './scripted/rules-judge';
import type { ScriptedOrchestratorName } from './scripted/orchestrators';
import { serveFolders } from './server';
import { bucketOf, summarize, type Summary } from './summary';
import { stageSeconds } from './timing';
import { decide } from './verdict';

export interface EvalOptions {
  questions: string;
  videos: string;
  out: string;
  /** Only the first N questions of the file. */
  limit: number | null;
  /** `<sage-agent>` attributes: `model`, `reasoner`, `speech`. */
  attributes: Record<string, string>;
  /** A scripted orchestrator instead of the app's VLM (the question set's self-test). */
  scripted: ScriptedOrchestratorName | null;
  judge: JudgeChoice;
  browser: BrowserChoice;
  /** Build dist/ first; off when it was just built (the e2e setup). */
  buildApp: boolean;
  /** A built eval page to serve; null builds one for this run. */
  evalPage: string | null;
  questionTimeoutMs: number;
  log(line: string): void;
}

export interface EvalRun {
  summary: Summary;
  /** Questions run through the app, and answers judged, by this call (not from earlier runs). */
  answered: number;
  judged: number;
  files: { answers: string; results: string; summary: string; report: string };
}

/** What a run's output folder was made with; a resumed run must use the same. */
function runKey(options: EvalOptions) {
  return { attributes: options.attributes, scripted: options.scripted, judge: options.judge };
}

function checkSameRun(file: string, options: EvalOptions): void {
  const key = JSON.stringify(runKey(options));
  let earlier: string | null = null;
  try {
    earlier = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    writeFileSync(file, `${JSON.stringify(runKey(options), null, 2)}\n`);
    return;
  }
  if (earlier !== key) {
    throw new AppError('invalid-argument', `${file} records a run with other models or another judge (${earlier}); resume it with the same ones, or choose another --out.`);
  }
}

function answerLine(question: EvalQuestion, answer: PageAnswer): AnswerLine {
  return {
    id: question.id,
    video_id: question.video,
    question: question.question,
    gt_answer: question.reference,
    ques_type: question.type,
    difficulty: question.difficulty,
    modality: question.modality,
    duration: question.duration ?? answer.durationSeconds,
    outcome: answer.outcome,
    prediction: answer.prediction,
    message: answer.message,
    error_code: answer.errorCode,
    single_turn: answer.singleTurn,
    steps: answer.steps,
    tools: answer.tools,
    seconds: stageSeconds(answer.openMs, answer.events),
    models: answer.models,
  };
}

/** An answer line for a run that did not finish in the page (a timeout, a crashed page). */
function failedLine(question: EvalQuestion, code: string, message: string, models: AnswerLine['models']): AnswerLine {
  return answerLine(question, {
    outcome: 'error', prediction: null, message, errorCode: code, singleTurn: false, steps: 0, tools: [], openMs: 0, events: [], durationSeconds: null, models,
  });
}

class Served {
  private constructor(
    readonly origin: string,
    private readonly browser: RunBrowser,
    private readonly closeServer: () => Promise<void>,
    private readonly tempPage: string | null,
    private readonly log: (line: string) => void,
  ) {}

  static async start(options: EvalOptions): Promise<Served> {
    if (options.buildApp) {
      options.log('building the app (dist/)…');
      buildApp();
    }
    const dist = join(REPO_ROOT, 'dist');
    if (!existsSync(join(dist, 'sage-agent.js'))) throw new AppError('invalid-argument', `${dist} holds no built app: run without --no-build, or npm run build first.`);
    const page = options.evalPage ? { dir: options.evalPage, temporary: false } : { dir: mkdtempSync(join(tmpdir(), 'sage-eval-page-')), temporary: true };
    if (page.temporary) {
      options.log('building the eval page…');
      buildEvalPage(page.dir);
    }
    const server = await serveFolders({ '/dist/': dist, '/eval/': resolve(page.dir) });
    const browser = await openBrowser(options.browser);
    return new Served(server.origin, browser, () => server.close(), page.temporary ? page.dir : null, (line) => options.log(line));
  }

  get context(): BrowserContext {
    return this.browser.context;
  }

  async page(): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.log(`  page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.text().startsWith('judge:')) this.log(`  page: ${message.text()}`);
    });
    await page.goto(`${this.origin}/eval/index.html`);
    await page.waitForFunction(() => 'sageEval' in window);
    return page;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.closeServer();
    if (this.tempPage) rmSync(this.tempPage, { recursive: true, force: true });
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), ms)));
  // A page closed after a timeout rejects the abandoned call; nothing waits for it any more.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function answerPass(served: Served, questions: readonly EvalQuestion[], files: Map<string, string>, options: EvalOptions, answersPath: string): Promise<number> {
  const setUp = async (): Promise<Page> => {
    const page = await served.page();
    const widgetUrl = `${served.origin}/dist/sage-agent.js`;
    await page.evaluate((setup) => window.sageEval.setUpAgent(setup), { widgetUrl, attributes: options.attributes, scripted: options.scripted });
    return page;
  };
  const fallbackModels = { orchestrator: options.scripted ?? options.attributes.model ?? 'app default', vlm: options.attributes.model ?? 'app default', reasoner: options.attributes.reasoner ?? null, speech: options.attributes.speech ?? null };
  let page = await setUp();
  let done = 0;
  for (const question of questions) {
    const file = files.get(question.id)!;
    await page.setInputFiles('#video', file);
    const request = { question: question.question, videoName: basename(file) };
    let line: AnswerLine;
    try {
      const answer = await withTimeout(page.evaluate((r) => window.sageEval.answer(r), request), options.questionTimeoutMs);
      line = answer === 'timeout' ? failedLine(question, 'timeout', `No result within ${options.questionTimeoutMs / 1000} s.`, fallbackModels) : answerLine(question, answer);
    } catch (error) {
      // A lost browser is no answer about this question: stop, and let the next run resume here.
      if (!page.context().browser()?.isConnected()) throw new AppError('internal', 'The browser went away during the run; run the same command again to resume it.', { cause: error });
      line = failedLine(question, 'page-failed', error instanceof Error ? error.message : String(error), fallbackModels);
    }
    if (line.error_code === 'timeout' || line.error_code === 'page-failed') {
      // The page may be stuck in a model call or gone: the next question gets a fresh one.
      await page.close().catch(() => {});
      page = await setUp();
    }
    appendJsonl(answersPath, line);
    done += 1;
    const said = line.prediction ?? `(${line.outcome}${line.message ? `: ${line.message}` : ''})`;
    options.log(`[answer ${done}/${questions.length}] ${question.id.slice(0, 12)} ${bucketOf(line.duration)} s, ${line.seconds.total.toFixed(1)} s: ${said.slice(0, 100)}`);
  }
  await page.close();
  return done;
}

async function judgePass(serve: () => Promise<Served>, answers: readonly AnswerLine[], questions: ReadonlyMap<string, EvalQuestion>, options: EvalOptions, resultsPath: string): Promise<number> {
  let judgePage: Page | null = null;
  const judgeModel = options.judge.kind === 'rules' ? RULES_JUDGE : options.judge.model;
  let done = 0;
  for (const answer of answers) {
    const decision = decide(questions.get(answer.id)!, answer.prediction);
    let verdict: Pick<ResultLine, 'correct' | 'judge_reasoning' | 'judge_model' | 'judge_seconds' | 'judge_error'>;
    if (decision.by === 'judge') {
      if (!judgePage) {
        const served = await serve();
        judgePage = await served.page();
        options.log(`loading the judge (${judgeModel})…`);
        await judgePage.evaluate(([choice, root]) => window.sageEval.setUpJudge(choice, root), [options.judge, `${served.origin}/dist/`] as const);
      }
      const outcome = await judgePage.evaluate((input) => window.sageEval.judge(input), decision.input);
      verdict = outcome.ok
        ? { correct: outcome.verdict.correct, judge_reasoning: outcome.verdict.reasoning, judge_model: judgeModel, judge_seconds: outcome.seconds, judge_error: null }
        : { correct: false, judge_reasoning: '', judge_model: judgeModel, judge_seconds: outcome.seconds, judge_error: outcome.message };
    } else {
      verdict = { correct: decision.correct, judge_reasoning: decision.reasoning, judge_model: null, judge_seconds: 0, judge_error: null };
    }
    const line: ResultLine = { ...answer, ...verdict, judged_by: decision.by };
    appendJsonl(resultsPath, line);
    done += 1;
    options.log(`[judge ${done}/${answers.length}] ${answer.id.slice(0, 12)} ${line.correct ? 'correct' : 'wrong'} (${line.judged_by}) ${line.judge_error ?? ''}`.trimEnd());
  }
  await (judgePage)?.close();
  return done;
}

export async function runEval(options: EvalOptions): Promise<EvalRun> {
  const all = parseQuestions(readFileSync(options.questions, 'utf8'), options.questions);
  const chosen = options.limit === null ? all : all.slice(0, options.limit);
  const files = new Map<string, string>();
  const missing: string[] = [];
  for (const question of chosen) {
    try {
      files.set(question.id, videoFile(question, options.videos));
    } catch (error) {
      missing.push(question.id);
      options.log(`skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const questions = chosen.filter((question) => files.has(question.id));
  const byId = new Map(questions.map((question) => [question.id, question]));

  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  checkSameRun(join(out, 'run.json'), options);
  const paths = { answers: join(out, 'answers.jsonl'), results: join(out, 'results.jsonl'), summary: join(out, 'summary.json'), report: join(out, 'report.html') };

  const answeredBefore = new Set(readJsonl<AnswerLine>(paths.answers).map((line) => line.id));
  const toAnswer = questions.filter((question) => !answeredBefore.has(question.id));
  if (questions.length > toAnswer.length) options.log(`${questions.length - toAnswer.length} questions already answered in ${paths.answers}`);

  let served: Served | null = null;
  const serve = async () => (served ??= await Served.start(options));
  let answered = 0;
  let judged = 0;
  try {
    if (toAnswer.length > 0) answered = await answerPass(await serve(), toAnswer, files, options, paths.answers);
    const judgedBefore = new Set(readJsonl<ResultLine>(paths.results).map((line) => line.id));
    const toJudge = readJsonl<AnswerLine>(paths.answers).filter((line) => byId.has(line.id) && !judgedBefore.has(line.id));
    if (toJudge.length > 0) judged = await judgePass(serve, toJudge, byId, options, paths.results);
  } finally {
    await (served as Served | null)?.close();
  }

  const order = new Map(questions.map((question, i) => [question.id, i]));
  const results = readJsonl<ResultLine>(paths.results)
    .filter((line) => order.has(line.id))
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const summary = summarize(results, missing.length);
  writeFileSync(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(paths.report, renderReport(summary, results, new Date().toISOString()));
  return { summary, answered, judged, files: paths };
}
