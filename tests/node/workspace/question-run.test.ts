import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/agent/events';
import type { AgentSession } from '../../../src/agent/session';
import { AppError } from '../../../src/core/errors';
import type { LoadState } from '../../../src/runtime/engine-contracts';
import type { VisionFacts } from '../../../src/runtime/vision-plan';
import { TranscriptCache } from '../../../src/tools/transcript-cache';
import { questionEvents, visionStatusNote, type QuestionRun } from '../../../src/workspace/question-run';

const qwen = { label: 'Qwen3.5 0.8B', downloadMB: 702.8 };
const offline = new AppError('offline', 'Qwen3.5 0.8B is not stored in this browser, and this page is offline, so it cannot reach the Hub.');

function setUp(runEvents: AgentEvent[], facts: Partial<VisionFacts> = {}, state: LoadState = { state: 'idle' }) {
  const asked: string[] = [];
  const transcriptCache = new TranscriptCache();
  const session = {
    video: { name: 'lecture.mp4', durationSeconds: 36, skimFrames: [] },
    async *ask(question: string) {
      asked.push(question);
      yield* runEvents;
    },
  } as unknown as AgentSession;
  const run: QuestionRun = {
    question: 'What is the green pigment called?',
    session,
    engines: {
      visionFacts: async (speechOnly) => ({ model: qwen, speechOnly, failure: null, ...facts }),
      vlmState: () => state,
      speech: {
        transcribe: async (_audio, options) => ({
          segments: options.offsetSeconds === 0 ? [{ start: 12, end: 15, text: 'The green pigment in leaves is called chlorophyll.' }] : [],
          whisperSeconds: 1,
        }),
      },
    },
    audio: { audio: async (window) => new Float32Array((window.end - window.start) * 16000) },
    transcriptCache,
    hostOrchestrator: false,
    speechOnly: false,
    writer: async () => undefined,
    signal: new AbortController().signal,
  };
  return { run, asked };
}

async function collect(run: QuestionRun): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of questionEvents(run)) events.push(event);
  return events;
}

describe('questionEvents', () => {
  it('the vision model failing to load in the run: the failure shows as a step and the speech answers, saying why', async () => {
    const { run } = setUp([{ type: 'stage-started', stage: 1, step: 0 }, { type: 'error', error: offline }], {}, { state: 'failed', error: offline });
    const events = await collect(run);
    expect(events.find((e) => e.type === 'tool-result' && e.isError)).toMatchObject({ output: offline.message });
    const answer = events.at(-1);
    expect(answer?.type).toBe('answer');
    expect(answer?.type === 'answer' && answer.answer).toMatch(
      /^From the speech only: the frames were not looked at because the vision model \(Qwen3.5 0.8B, 703 MB\) is not stored and the page is offline\.\n[\s\S]*\[00:12\] “The green pigment in leaves is called chlorophyll\.”$/,
    );
  });

  it('a failure kept from an earlier question, or speech chosen, answers from the speech without asking the vision model', async () => {
    const kept = setUp([], { failure: offline });
    expect((await collect(kept.run)).at(-1)).toMatchObject({ type: 'answer', speechOnly: { reason: expect.stringContaining('is not stored and the page is offline') } });
    expect(kept.asked).toEqual([]);
    const chosen = setUp([]);
    chosen.run.speechOnly = true;
    expect((await collect(chosen.run)).at(-1)).toMatchObject({ type: 'answer', speechOnly: { reason: 'you chose to answer from the speech only' } });
    expect(chosen.asked).toEqual([]);
  });

  it("an error that is not the vision model's load stands, and a host's orchestrator is asked as it is", async () => {
    const bug = new AppError('internal', 'A bug.');
    const { run } = setUp([{ type: 'error', error: bug }], {}, { state: 'ready', device: 'wasm' });
    expect(await collect(run)).toEqual([{ type: 'error', error: bug }]);
    const host = setUp([{ type: 'error', error: offline }], { failure: offline }, { state: 'failed', error: offline });
    host.run.hostOrchestrator = true;
    expect(await collect(host.run)).toEqual([{ type: 'error', error: offline }]);
  });
});

describe('visionStatusNote', () => {
  it('says nothing for a stored model, that questions use the speech offline, else what the first question downloads', () => {
    expect(visionStatusNote(qwen, true, false, undefined)).toBeNull();
    expect(visionStatusNote(qwen, false, false, undefined)).toBe(
      'Questions are answered from the speech: the vision model (Qwen3.5 0.8B, 703 MB) is not stored and the page is offline.',
    );
    expect(visionStatusNote(qwen, false, true, 10)).toMatch(/^The first question downloads Qwen3.5 0.8B \(703 MB, about 10 min/);
  });
});
