import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/agent/events';
import { withSpeechFallback } from '../../../src/agent/speech-fallback';
import { AppError, cancelledError } from '../../../src/core/errors';

async function* events(...list: AgentEvent[]): AsyncGenerator<AgentEvent, void, undefined> {
  for (const event of list) yield event;
}

const speechAnswer = (reason: string): AgentEvent => ({ type: 'answer', answer: `speech: ${reason}`, singleTurn: false, steps: 0, reasoning: '', evidence: [], spans: [] });

async function collect(options: Parameters<typeof withSpeechFallback>[0]): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const event of withSpeechFallback(options)) out.push(event);
  return out;
}

describe('withSpeechFallback', () => {
  const offline = new AppError('offline', 'Qwen3.5 0.8B is not stored in this browser, and this page is offline.');

  it('a reason known before the run answers from the speech without trying vision', async () => {
    let tried = false;
    const out = await collect({
      speechOnlyReason: 'you chose to answer from the speech only',
      withVision: () => ((tried = true), events()),
      visionFailure: () => null,
      fromSpeech: (reason) => events(speechAnswer(reason)),
    });
    expect(tried).toBe(false);
    expect(out).toEqual([speechAnswer('you chose to answer from the speech only')]);
  });

  it('a vision load failing in the run is shown as a step, then the speech answers', async () => {
    const out = await collect({
      speechOnlyReason: null,
      withVision: () => events({ type: 'stage-started', stage: 1, step: 0 }, { type: 'error', error: offline }),
      visionFailure: (error) => (error.code === 'offline' ? 'the page is offline' : null),
      fromSpeech: (reason) => events(speechAnswer(reason)),
    });
    expect(out.map((e) => e.type)).toEqual(['stage-started', 'tool-result', 'answer']);
    expect(out[1]).toMatchObject({ isError: true, output: offline.message });
    expect(out[2]).toEqual(speechAnswer('the page is offline'));
  });

  it('other errors and a stop end the run as they are', async () => {
    for (const error of [new AppError('internal', 'A bug.'), cancelledError()]) {
      const out = await collect({
        speechOnlyReason: null,
        withVision: () => events({ type: 'error', error }),
        visionFailure: () => null,
        fromSpeech: (reason) => events(speechAnswer(reason)),
      });
      expect(out).toEqual([{ type: 'error', error }]);
    }
  });
});
