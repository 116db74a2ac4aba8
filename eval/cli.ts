/** `npm run eval` arguments, checked before anything is built or launched. */
import { parseArgs } from 'node:util';
import { AppError } from '../src/core/errors';
import { findModel } from '../src/models/registry';
import type { EvalOptions } from './harness';
import { SCRIPTED_ORCHESTRATORS, type ScriptedOrchestratorName } from './scripted/orchestrators';
import { RULES_JUDGE } from './scripted/rules-judge';
import { DEFAULT_CHROMIUM_PATH } from '../scripts/chromium';

export const DEFAULT_JUDGE = 'qwen2.5-7b-instruct-mlc';
const DEFAULT_TIMEOUT_MINUTES = 30;

export const USAGE = `npm run eval -- --questions FILE.jsonl --videos DIR [options]

  --questions FILE   questions in SAGE-Bench's fields, one JSON object a line
  --videos DIR       the videos (<video_id>.mp4, <video_id>/<video_id>.mp4, or the line's path)
  --out DIR          where answers.jsonl, results.jsonl, summary.json and report.html go
                     (default eval-out); a run into the same DIR resumes
  --limit N          only the first N questions
  --model ID         the VLM (registry id; default: what the app picks for the browser)
  --reasoner ID|off  the web-llm Stage-2 reasoner (default: what the app picks)
  --speech ID        the Whisper model (default: the app's)
  --orchestrator ${SCRIPTED_ORCHESTRATORS.join('|')}
                     a scripted stand-in for the VLM (the question set's self-test)
  --judge ID         the web-llm judge (default ${DEFAULT_JUDGE}), or ${RULES_JUDGE}
  --cdp URL          drive a running Chrome (started with --remote-debugging-port) on its GPU,
                     instead of headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
  --no-build         serve dist/ as it is instead of building it first
  --timeout-minutes N  give up on a question after N minutes (default ${DEFAULT_TIMEOUT_MINUTES})`;

function registryId(id: string, role: 'orchestrator-vlm' | 'text-reasoner' | 'speech', flag: string): string {
  const entry = findModel(id);
  if (!entry || entry.role !== role) throw new AppError('invalid-argument', `--${flag} ${id} is not a known ${role} model id.`);
  return id;
}

function positiveInteger(value: string | undefined, flag: string): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new AppError('invalid-argument', `--${flag} needs a positive whole number, not ${value}.`);
  return n;
}

export function parseEvalArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Omit<EvalOptions, 'log' | 'evalPage'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        questions: { type: 'string' },
        videos: { type: 'string' },
        out: { type: 'string', default: 'eval-out' },
        limit: { type: 'string' },
        model: { type: 'string' },
        reasoner: { type: 'string' },
        speech: { type: 'string' },
        orchestrator: { type: 'string' },
        judge: { type: 'string', default: DEFAULT_JUDGE },
        cdp: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        'timeout-minutes': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new AppError('invalid-argument', `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (!values.questions || !values.videos) throw new AppError('invalid-argument', `--questions and --videos are needed.\n\n${USAGE}`);
  const attributes: Record<string, string> = {};
  if (values.model) attributes.model = registryId(values.model, 'orchestrator-vlm', 'model');
  if (values.reasoner) attributes.reasoner = values.reasoner === 'off' ? 'off' : registryId(values.reasoner, 'text-reasoner', 'reasoner');
  if (values.speech) attributes.speech = registryId(values.speech, 'speech', 'speech');
  const orchestrator = values.orchestrator;
  if (orchestrator !== undefined && !(SCRIPTED_ORCHESTRATORS as readonly string[]).includes(orchestrator)) {
    throw new AppError('invalid-argument', `--orchestrator is one of ${SCRIPTED_ORCHESTRATORS.join(', ')}; leave it out for the app's VLM.`);
  }
  const judge = values.judge === RULES_JUDGE ? ({ kind: 'rules' } as const) : ({ kind: 'webllm', model: registryId(values.judge, 'text-reasoner', 'judge') } as const);
  return {
    questions: values.questions,
    videos: values.videos,
    out: values.out,
    limit: positiveInteger(values.limit, 'limit'),
    attributes,
    scripted: (orchestrator as ScriptedOrchestratorName | undefined) ?? null,
    judge,
    browser: values.cdp ? { kind: 'cdp', url: values.cdp } : { kind: 'launch', executablePath: env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH },
    buildApp: !values['no-build'],
    questionTimeoutMs: (positiveInteger(values['timeout-minutes'], 'timeout-minutes') ?? DEFAULT_TIMEOUT_MINUTES) * 60_000,
  };
}
