import { MLCEngine, type ChatCompletionRequest } from '@mlc-ai/web-llm';
import { describe, expect, it, vi } from 'vitest';
import type { GenerateRequest, ReasoningModel } from '../../../src/core/contracts';
import { WebLlmReasoner } from '../../../src/models/engines/webllm-client';
import { getModel } from '../../../src/models/registry';
import { JUDGE_SYSTEM, VERDICT_SCHEMA, askJudge, judgePrompt, parseVerdict, type JudgeInput } from '../../../eval/judge';

const input: JudgeInput = {
  question: 'Which animal?\n Answer the question based on the following options: \n (A) horse\n (B) "rabbit"',
  reference: '"rabbit"',
  referenceOption: 'B',
  prediction: 'It is a rabbit,\nI think.',
};

/** A model that replies with the given texts in turn and records what it was asked. */
function replying(...replies: string[]): ReasoningModel & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    requests,
    async generate(request) {
      requests.push(request);
      return replies[requests.length - 1] ?? '';
    },
  };
}

describe('judgePrompt', () => {
  it('gives each field as a JSON string, so quotes and line breaks inside a field stay inside it', () => {
    const prompt = judgePrompt(input);
    expect(prompt).toContain(`Question: ${JSON.stringify(input.question)}`);
    expect(prompt).toContain('Reference answer: "\\"rabbit\\""');
    expect(prompt).toContain('Reference option: "B"');
    expect(prompt).toContain('Prediction: "It is a rabbit,\\nI think."');
    expect(prompt.indexOf('Reference answer')).toBeLessThan(prompt.indexOf('Prediction'));
  });

  it('leaves the option line out when no letter is known', () => {
    expect(judgePrompt({ ...input, referenceOption: null })).not.toContain('Reference option');
  });
});

describe('parseVerdict', () => {
  it.each([
    ['{"reasoning": "same", "correct": true}', { reasoning: 'same', correct: true }],
    ['<json>{"reasoning": "differs", "correct": false}</json>', { reasoning: 'differs', correct: false }],
    ['```json\n{"reasoning": "r", "correct": "True"}\n```', { reasoning: 'r', correct: true }],
    ["Sure: {reasoning: 'loose', correct: False}", { reasoning: 'loose', correct: false }],
    ['{"correct": true', { reasoning: '', correct: true }],
  ])('reads %j', (reply, verdict) => {
    expect(parseVerdict(reply)).toEqual(verdict);
  });

  it.each(['', 'True', '{"reasoning": "no verdict"}', '{"correct": "maybe"}', '{"correct": 1}'])('finds no verdict in %j', (reply) => {
    expect(parseVerdict(reply)).toBeNull();
  });
});

describe('askJudge', () => {
  it('sends the prompt with the judge system message and returns the verdict', async () => {
    const model = replying('{"reasoning": "Both name the rabbit.", "correct": true}');
    expect(await askJudge(model, input, new AbortController().signal)).toEqual({ reasoning: 'Both name the rabbit.', correct: true });
    expect(model.requests[0]).toMatchObject({ prompt: judgePrompt(input), system: JUDGE_SYSTEM });
  });

  it('asks once more after a reply without a verdict, then gives up with an AppError', async () => {
    const second = replying('I cannot tell.', '{"reasoning": "ok", "correct": false}');
    expect(await askJudge(second, input, new AbortController().signal)).toEqual({ reasoning: 'ok', correct: false });
    expect(second.requests).toHaveLength(2);
    const never = replying('no', 'still no', '{"correct": true}');
    await expect(askJudge(never, input, new AbortController().signal)).rejects.toMatchObject({ name: 'AppError', code: 'internal' });
    expect(never.requests).toHaveLength(2);
  });

  it('judges through the web-llm reasoner decoding under the verdict schema with the judge system message', async () => {
    const engine = new MLCEngine();
    const requests: ChatCompletionRequest[] = [];
    vi.spyOn(engine, 'chatCompletion').mockImplementation(async (request: ChatCompletionRequest) => {
      requests.push(request);
      return (async function* () {
        for (const content of ['{"reasoning": "Same ani', 'mal.", "correct": true}']) {
          yield { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content, role: 'assistant' }, finish_reason: null }] };
        }
      })();
    });
    const judge = new WebLlmReasoner({
      engine,
      entry: getModel('qwen2.5-3b-instruct-mlc'),
      dtype: 'q4f16_1',
      location: { kind: 'hub' },
      tools: [],
      schema: VERDICT_SCHEMA,
      systemPrompt: JUDGE_SYSTEM,
    });
    expect(await askJudge(judge, input, new AbortController().signal)).toEqual({ reasoning: 'Same animal.', correct: true });
    expect(JSON.parse(requests[0]!.response_format!.schema!)).toEqual(VERDICT_SCHEMA);
    expect(requests[0]!.messages[0]).toEqual({ role: 'system', content: JUDGE_SYSTEM });
  });
});
