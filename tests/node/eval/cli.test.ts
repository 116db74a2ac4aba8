import { describe, expect, it } from 'vitest';
import { DEFAULT_JUDGE, parseEvalArgs } from '../../../eval/cli';

const base = ['--questions', 'q.jsonl', '--videos', 'videos'];

describe('parseEvalArgs', () => {
  it('defaults to the app’s models, the web-llm judge, headless system Chromium and a fresh build', () => {
    expect(parseEvalArgs(base, {})).toEqual({
      questions: 'q.jsonl',
      videos: 'videos',
      out: 'eval-out',
      limit: null,
      attributes: {},
      scripted: null,
      judge: { kind: 'webllm', model: DEFAULT_JUDGE },
      browser: { kind: 'launch', executablePath: '/usr/bin/chromium' },
      buildApp: true,
      questionTimeoutMs: 30 * 60_000,
    });
    expect(parseEvalArgs(base, { CHROMIUM_PATH: '/opt/chromium' }).browser).toEqual({ kind: 'launch', executablePath: '/opt/chromium' });
  });

  it('takes the models as element attributes, a scripted orchestrator, the rules judge, CDP and the rest', () => {
    const options = parseEvalArgs([
      ...base, '--model', 'qwen2-vl-2b-instruct', '--reasoner', 'off', '--speech', 'whisper-tiny', '--orchestrator', 'scripted-wrong',
      '--judge', 'scripted-rules', '--cdp', 'http://127.0.0.1:9222', '--limit', '20', '--out', 'runs/a', '--no-build', '--timeout-minutes', '5',
    ]);
    expect(options).toMatchObject({
      attributes: { model: 'qwen2-vl-2b-instruct', reasoner: 'off', speech: 'whisper-tiny' },
      scripted: 'scripted-wrong',
      judge: { kind: 'rules' },
      browser: { kind: 'cdp', url: 'http://127.0.0.1:9222' },
      limit: 20,
      out: 'runs/a',
      buildApp: false,
      questionTimeoutMs: 300_000,
    });
  });

  it.each([
    [[], /--questions and --videos are needed/],
    [[...base, '--model', 'whisper-base'], /--model whisper-base is not a known orchestrator-vlm model id/],
    [[...base, '--judge', 'gpt-4o'], /--judge gpt-4o is not a known text-reasoner/],
    [[...base, '--orchestrator', 'gemini'], /--orchestrator is one of scripted-correct, scripted-wrong/],
    [[...base, '--limit', '0'], /--limit needs a positive whole number, not 0/],
    [[...base, '--frames', '9'], /Unknown option '--frames'/],
  ])('refuses %j with a message that says why', (argv, message) => {
    expect(() => parseEvalArgs(argv)).toThrow(message);
  });
});
