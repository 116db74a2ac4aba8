import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { runAgent } from '../../../src/agent/run-agent';
import type { AgentEvent } from '../../../src/agent/events';
import {
  RepeatingModel,
  ScriptedModel,
  collect,
  lastEvent,
  makeVideo,
  ofType,
  offlineTools,
  recordingTools,
  stage1Answer,
  stage1Call,
  stage2Answer,
  stage2Call,
  stage2Nothing,
} from './doubles';

const QUESTION = 'How many eggs does the chef add?';
const window = (start: string, end: string) => ({ video_path: 'cooking.mp4', timestamp_start: start, timestamp_end: end });

describe('single turn', () => {
  it('answers from Stage 1 alone when it gives final_answer and needs no tool', async () => {
    const model = new ScriptedModel([stage1Answer('A chocolate cake')]);
    const { tools, calls } = offlineTools();
    const video = makeVideo();
    const events = await collect({ question: 'What is baked?', video, models: { stage1: model }, tools });

    expect(events[0]).toEqual({ type: 'stage-started', stage: 1, step: 0 });
    expect(ofType(events, 'token').map((event) => event.text).join('')).toBe(stage1Answer('A chocolate cake'));
    expect(lastEvent(events)).toEqual({
      type: 'answer',
      answer: 'A chocolate cake',
      singleTurn: true,
      steps: 0,
      reasoning: 'What is being cooked.',
      evidence: [],
      spans: [],
    });
    expect(model.requests).toHaveLength(1);
    expect(calls).toHaveLength(0);

    const request = model.requests[0];
    expect(request?.images).toBe(video.skimFrames);
    expect(request?.prompt).toContain('Video: "cooking.mp4", duration 00:30:00.');
    expect(request?.prompt).toContain('Question: What is baked?');
    expect(request?.prompt).toContain('"name":"identify_timestamps_visually"');
    // No search provider: the web tools are not offered.
    expect(request?.prompt).not.toContain('unified_web_search');
    expect(request?.prompt).not.toContain('parse_web_data');
  });

  it('offers only the tools the registry can run', async () => {
    const model = new ScriptedModel([stage1Answer('A chocolate cake')]);
    const { tools } = offlineTools();
    delete tools.identify_timestamps_visually;
    await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    const prompt = model.requests[0]?.prompt ?? '';
    expect(prompt).toContain('"name":"verbal_transcript"');
    expect(prompt).not.toContain('identify_timestamps_visually');
  });

  it('runs the tool when Stage 1 answers but still asks for one', async () => {
    const stage1 = stage1Call('verbal_transcript', window('00:00:00', '00:05:00')).replace('"final_answer":null', '"final_answer":"two"');
    const model = new ScriptedModel([stage1, stage2Answer('Two eggs')]);
    const { tools, calls } = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    expect(calls.map((call) => call.name)).toEqual(['verbal_transcript']);
    expect(lastEvent(events)).toMatchObject({ type: 'answer', answer: 'Two eggs', singleTurn: false, steps: 1 });
  });
});

describe('work before the first token', () => {
  it("passes the model's vision calls and prompt parts on as work events of their step, before its tokens", async () => {
    const reply = stage1Answer('A chocolate cake');
    const model = new ScriptedModel([
      async (request) => {
        request.onWork?.({ phase: 'vision', done: 1, total: 2 });
        request.onWork?.({ phase: 'vision', done: 2, total: 2 });
        request.onWork?.({ phase: 'prefill', done: 355, total: 900 });
        return reply;
      },
    ]);
    const { tools } = offlineTools();
    const events = await collect({ question: 'What is baked?', video: makeVideo(), models: { stage1: model }, tools });
    expect(ofType(events, 'work')).toEqual([
      { type: 'work', stage: 1, step: 0, phase: 'vision', done: 1, total: 2 },
      { type: 'work', stage: 1, step: 0, phase: 'vision', done: 2, total: 2 },
      { type: 'work', stage: 1, step: 0, phase: 'prefill', done: 355, total: 900 },
    ]);
    const kinds = events.map((event) => event.type);
    expect(kinds.lastIndexOf('work')).toBeLessThan(kinds.indexOf('token'));
    expect(kinds.indexOf('stage-started')).toBeLessThan(kinds.indexOf('work'));
  });
});

describe('multi turn', () => {
  it('runs every tool, labels results, feeds them to Stage 2 and cites them as evidence', async () => {
    const stage1 = new ScriptedModel([stage1Call('verbal_transcript', window('00:10:00', '00:15:00'))]);
    const stage2 = new ScriptedModel([
      stage2Call('identify_timestamps_visually', { ...window('00:10:00', '00:20:00'), event: 'eggs are cracked' }),
      stage2Call('extract_parts_from_timestamp', window('00:12:10', '00:12:20')),
      stage2Call('perform_reasoning', { query: 'How many eggs are cracked?', media_paths: ['frame-1', 'frame-2'] }),
      stage2Call('unified_web_search', { query: 'chocolate cake eggs', num_results: 2 }),
      stage2Call('parse_web_data', { website_url: 'https://example.com/cake' }),
      stage2Call('verbal_transcript', window('00:20:00', '00:25:00')),
      stage2Answer('Two eggs', 'The chef says "add two eggs" and two are cracked.'),
    ]);
    const offline = offlineTools();
    const web = recordingTools({
      unified_web_search: async () => ({ text: 'results: [{"title": "Cake", "snippet": "2 eggs", "link": "https://example.com/cake"}]' }),
      parse_web_data: async () => ({ text: 'title: Cake\ncontent: Use two eggs.\nurl: https://example.com/cake' }),
    });
    const tools = { ...offline.tools, ...web.tools };
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1, stage2 }, tools });

    expect(stage1.requests[0]?.prompt).toContain('"name":"unified_web_search"');
    expect(stage1.requests[0]?.prompt).toContain('"name":"parse_web_data"');

    const called = ofType(events, 'tool-called');
    expect(called.map((event) => [event.step, event.label])).toEqual([
      [0, 'verbal_transcript_#1'],
      [1, 'identify_timestamps_visually_#1'],
      [2, 'extract_parts_from_timestamp_#1'],
      [3, 'perform_reasoning_#1'],
      [4, 'unified_web_search_#1'],
      [5, 'parse_web_data_#1'],
      [6, 'verbal_transcript_#2'],
    ]);
    expect(offline.calls.map((call) => call.args)).toEqual([
      { video_path: 'cooking.mp4', timestamp_start: 600, timestamp_end: 900 },
      { video_path: 'cooking.mp4', event: 'eggs are cracked', timestamp_start: 600, timestamp_end: 1200 },
      { video_path: 'cooking.mp4', timestamp_start: 730, timestamp_end: 740, extract_type: 'frames' },
      { query: 'How many eggs are cracked?', media_paths: ['frame-1', 'frame-2'] },
      { video_path: 'cooking.mp4', timestamp_start: 1200, timestamp_end: 1500 },
    ]);
    expect(web.calls.map((call) => call.args)).toEqual([
      { query: 'chocolate cake eggs', search_type: 'web', num_results: 2 },
      { website_url: 'https://example.com/cake', max_content_length: 5000 },
    ]);
    expect(offline.calls[0]?.context.duration).toBe(1800);

    // Stage 2 is text only, and each step sees the call just run and every labelled result so far.
    expect(stage2.requests).toHaveLength(7);
    expect(stage2.requests.every((request) => request.images === undefined)).toBe(true);
    const lastPrompt = stage2.requests[6]?.prompt ?? '';
    expect(lastPrompt).toContain('The last step called verbal_transcript_#2 with');
    expect(lastPrompt).toContain('A cooking show: a chef in a kitchen prepares a cake.');
    expect(lastPrompt).toContain(`Question: ${QUESTION}`);
    expect(lastPrompt).toContain('[verbal_transcript_#1] {"video_path":"cooking.mp4","timestamp_start":"00:10:00","timestamp_end":"00:15:00"}\ntranscript 600-900');
    expect(lastPrompt).toContain('[perform_reasoning_#1]');
    expect(lastPrompt).toContain('[parse_web_data_#1] {"website_url":"https://example.com/cake","max_content_length":5000}\ntitle: Cake');
    expect(lastPrompt).toContain('[verbal_transcript_#2]');

    const extracted = ofType(events, 'tool-result').find((event) => event.label === 'extract_parts_from_timestamp_#1');
    expect(extracted?.frames).toEqual([
      { id: 'frame-1', timestamp: 730 },
      { id: 'frame-2', timestamp: 740 },
    ]);
    expect(extracted?.spans).toEqual([{ start: 730, end: 740 }]);

    const answer = lastEvent(events);
    expect(answer.type).toBe('answer');
    if (answer.type !== 'answer') return;
    expect(answer).toMatchObject({ answer: 'Two eggs', singleTurn: false, steps: 7 });
    expect(answer.reasoning).toContain('add two eggs');
    expect(answer.evidence.map((item) => item.label)).toEqual(called.map((event) => event.label));
    expect(answer.spans).toEqual([
      { start: 605, end: 608 },
      { start: 730, end: 740 },
      { start: 730, end: 740 },
      { start: 1205, end: 1208 },
    ]);
  });

  it('runs only the first tool call of a step', async () => {
    const twoCalls = JSON.stringify({
      answerable: { verdict: false, reasoning: '' },
      final_answer: null,
      recommended_tools: {
        needed: true,
        why_no_tool: '',
        tool_calls: [
          { rationale: '', name: 'perform_reasoning', arguments: { query: 'first', media_paths: [] } },
          { rationale: '', name: 'perform_reasoning', arguments: { query: 'second', media_paths: [] } },
        ],
      },
    });
    const model = new ScriptedModel([stage1Call('perform_reasoning', { query: 'zero', media_paths: [] }), twoCalls, stage2Answer('x')]);
    const { tools, calls } = offlineTools();
    await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    expect(calls.map((call) => (call.args as { query: string }).query)).toEqual(['zero', 'first']);
  });

  it('keeps going with a note when a step neither answers nor calls a tool', async () => {
    const verdictWithoutAnswer = stage2Nothing().replace('"verdict":false', '"verdict":true');
    const answerWithoutVerdict = stage2Nothing().replace('"final_answer":null', '"final_answer":"two"');
    const model = new ScriptedModel([
      stage1Call('perform_reasoning', { query: 'q', media_paths: [] }),
      stage2Nothing(),
      verdictWithoutAnswer,
      answerWithoutVerdict,
      stage2Answer('two'),
    ]);
    const { tools } = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    const notes = ofType(events, 'tool-result').filter((event) => event.name === 'system_note');
    expect(notes.map((note) => [note.step, note.label, note.isError])).toEqual([
      [1, 'system_note_#1', false],
      [2, 'system_note_#2', false],
      [3, 'system_note_#3', false],
    ]);
    expect(notes[0]?.output).toContain('neither a final answer nor a tool call');
    expect(notes[1]?.output).toContain('gave no final_answer');
    expect(notes[2]?.output).toContain('answerable.verdict true');
    expect(model.requests[2]?.prompt).toContain('The last step called no tool.');
    expect(model.requests[4]?.prompt).toContain('[system_note_#3]');
    expect(lastEvent(events)).toMatchObject({ type: 'answer', answer: 'two', steps: 4 });
  });
});

describe('unusable model output', () => {
  it('repairs broken JSON in a step and acts on it', async () => {
    const broken = `Sure! \`\`\`json
{answerable: {'verdict': False, 'reasoning': 'need speech',}, final_answer: None,
 recommended_tools: {needed: True, why_no_tool: '', tool_calls: [{rationale: 'hear it', name: 'verbal_transcript',
 arguments: {video_path: 'cooking.mp4', timestamp_start: '00:01:00', timestamp_end: '00:02:00'`;
    const model = new ScriptedModel([stage1Call('perform_reasoning', { query: 'q', media_paths: [] }), broken, stage2Answer('two')]);
    const { tools, calls } = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    expect(calls.map((call) => call.name)).toEqual(['perform_reasoning', 'verbal_transcript']);
    expect(calls[1]?.args).toEqual({ video_path: 'cooking.mp4', timestamp_start: 60, timestamp_end: 120 });
    expect(lastEvent(events)).toMatchObject({ type: 'answer', steps: 2 });
  });

  it('turns an unrepairable step into an error line the model reads, and counts it as a step', async () => {
    const model = new ScriptedModel([
      stage1Call('perform_reasoning', { query: 'q', media_paths: [] }),
      '<json>{"answerable": {"verdict": false "reasoning": "x"} "final_answer" null}</json>',
      stage2Answer('two'),
    ]);
    const { tools } = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    const note = ofType(events, 'tool-result').find((event) => event.name === 'system_note');
    expect(note).toMatchObject({ step: 1, label: 'system_note_#1', isError: true });
    expect(note?.output).toMatch(/^Your last reply could not be used: Your JSON could not be read/);
    expect(model.requests[2]?.prompt).toContain(`[system_note_#1]\n${note?.output}`);
    expect(lastEvent(events)).toMatchObject({ type: 'answer', answer: 'two', steps: 2 });
  });

  it('goes on to Stage 2 without a video description when Stage 1 is unusable', async () => {
    const model = new ScriptedModel(['I cannot tell.', stage2Answer('two')]);
    const { tools } = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    expect(ofType(events, 'tool-result')[0]?.output).toContain('The first reply could not be used');
    expect(model.requests[1]?.prompt).toContain('(no description available)');
    expect(lastEvent(events)).toMatchObject({ type: 'answer', singleTurn: false, steps: 1 });
  });
});

describe('bad tool calls', () => {
  async function runOneCall(name: string, args: Record<string, unknown>) {
    const model = new ScriptedModel([stage1Call(name, args), stage2Answer('done')]);
    const recorded = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools: recorded.tools });
    const called = ofType(events, 'tool-called')[0];
    const result = ofType(events, 'tool-result')[0];
    return { events, called, result, calls: recorded.calls, nextPrompt: model.requests[1]?.prompt ?? '' };
  }

  it('answers an unknown tool with the list of real ones', async () => {
    const { called, result, calls, nextPrompt, events } = await runOneCall('transcribe_speech', { video_path: 'x' });
    expect(called).toMatchObject({ name: 'transcribe_speech', label: 'unknown_tool_#1' });
    expect(result).toMatchObject({ label: 'unknown_tool_#1', isError: true });
    expect(result?.output).toBe(
      'Error: "transcribe_speech" is not a tool. Tools you can call: verbal_transcript, identify_timestamps_visually, extract_parts_from_timestamp, perform_reasoning.',
    );
    expect(calls).toHaveLength(0);
    expect(nextPrompt).toContain(result?.output ?? '-');
    expect(lastEvent(events)).toMatchObject({ type: 'answer', evidence: [] });
  });

  it('refuses a web tool when no search provider is configured', async () => {
    const { result } = await runOneCall('unified_web_search', { query: 'cake' });
    expect(result).toMatchObject({ label: 'unified_web_search_#1', isError: true });
    expect(result?.output).toContain('"unified_web_search" is not available here');
  });

  it('reports unreadable timestamps without running the tool', async () => {
    const { result, calls } = await runOneCall('verbal_transcript', window('the start', '00:02:00'));
    expect(calls).toHaveLength(0);
    expect(result?.isError).toBe(true);
    expect(result?.output).toContain('Error: invalid arguments for verbal_transcript: timestamp_start: "the start" is not a time');
  });

  it('repairs swapped timestamps, runs the tool, and tells the model', async () => {
    const { called, result, calls } = await runOneCall('verbal_transcript', window('00:05:00', '00:01:00'));
    expect(calls[0]?.args).toEqual({ video_path: 'cooking.mp4', timestamp_start: 60, timestamp_end: 300 });
    expect(called?.arguments).toEqual(window('00:01:00', '00:05:00'));
    expect(called?.repairs.join(' ')).toContain('swapped');
    expect(result?.isError).toBe(false);
    expect(result?.output).toMatch(/^Note: timestamp_start and timestamp_end were swapped.*\ntranscript 60-300/);
  });

  it('clamps a window running past the end of the video', async () => {
    const { calls, result } = await runOneCall('extract_parts_from_timestamp', window('00:28:00', '00:33:00'));
    expect(calls[0]?.args).toMatchObject({ timestamp_start: 1680, timestamp_end: 1800 });
    expect(result?.output).toContain('past the end of the video');
  });

  it('rejects a start at the end of the video', async () => {
    const { calls, result } = await runOneCall('verbal_transcript', window('00:30:00', '00:35:00'));
    expect(calls).toHaveLength(0);
    expect(result?.output).toContain('at or after the end of the video');
  });

  it('runs windows longer than the documented caps, as the release does', async () => {
    const speech = await runOneCall('verbal_transcript', window('00:00:00', '00:12:00'));
    expect(speech.calls[0]?.args).toMatchObject({ timestamp_start: 0, timestamp_end: 720 });
    expect(speech.result?.isError).toBe(false);
    const grounding = await runOneCall('identify_timestamps_visually', { ...window('00:00', '16:00'), event: 'a goal' });
    expect(grounding.calls[0]?.args).toMatchObject({ timestamp_start: 0, timestamp_end: 960 });
    const extraction = await runOneCall('extract_parts_from_timestamp', window('00:00:00', '00:10:00'));
    expect(extraction.calls[0]?.args).toMatchObject({ timestamp_start: 0, timestamp_end: 600 });
  });

  it('turns a tool failure into an error result and carries on', async () => {
    const model = new ScriptedModel([stage1Call('verbal_transcript', window('00:00:00', '00:01:00')), stage2Answer('two')]);
    const { tools } = recordingTools({
      verbal_transcript: async () => {
        throw new AppError('decode-failed', 'The audio could not be decoded.', { detail: 'EncodingError' });
      },
    });
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    expect(ofType(events, 'tool-result')[0]).toMatchObject({
      isError: true,
      output: 'Error: verbal_transcript failed: The audio could not be decoded. (EncodingError)',
    });
    expect(lastEvent(events)).toMatchObject({ type: 'answer', evidence: [] });
  });

  it('says a core tool is unavailable when no runner was registered for it', async () => {
    const model = new ScriptedModel([stage1Call('perform_reasoning', { query: 'q' }), stage2Answer('two')]);
    const { tools } = recordingTools({ verbal_transcript: async () => ({ text: 'x' }) });
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    expect(ofType(events, 'tool-result')[0]?.output).toContain('"perform_reasoning" is not available here');
  });
});

describe('the step cap', () => {
  it('gives up after exactly 10 Stage-2 calls when the model keeps calling tools', async () => {
    const stage1 = new ScriptedModel([stage1Call('verbal_transcript', window('00:00:00', '00:01:00'))]);
    const stage2 = new RepeatingModel(stage2Call('verbal_transcript', window('00:01:00', '00:02:00')));
    const { tools, calls } = offlineTools();
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1, stage2 }, tools });

    expect(stage2.requests).toHaveLength(10);
    expect(ofType(events, 'stage-started').map((event) => event.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // As in the release, the tenth call's tool still runs (and is shown) before the run stops.
    expect(calls).toHaveLength(11);
    const end = lastEvent(events);
    expect(end.type).toBe('gave-up');
    if (end.type !== 'gave-up') return;
    expect(end.message).toMatch(/^Could not produce an answer after 10 steps\. Tried: verbal_transcript_#1, .*verbal_transcript_#11\.$/);
    expect(end.steps).toBe(10);
    expect(end.tried.map((call) => call.label)).toEqual(Array.from({ length: 11 }, (_, i) => `verbal_transcript_#${i + 1}`));
    expect(ofType(events, 'answer')).toHaveLength(0);

    // The tenth prompt holds all ten results: the window of 10 most recent is full, nothing dropped.
    const tenth = stage2.requests[9]?.prompt ?? '';
    expect(tenth).toContain('step 10 of at most 10');
    const shown = [...tenth.matchAll(/\[verbal_transcript_#(\d+)\]/g)].map((match) => Number(match[1]));
    expect(shown).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('gives up when the model never produces usable output, saying no tool ran', async () => {
    const stage1 = new RepeatingModel('no idea');
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1 }, tools: offlineTools().tools });
    expect(stage1.requests).toHaveLength(11);
    expect(lastEvent(events)).toMatchObject({
      type: 'gave-up',
      message: 'Could not produce an answer after 10 steps. No tool was run.',
      tried: [],
    });
    // Notes never fill the evidence; each later prompt still carries the latest ones.
    expect(stage1.requests[10]?.prompt).toContain('[system_note_#10]');
  });

  it('still accepts an answer on the tenth step', async () => {
    const replies = [stage1Call('perform_reasoning', { query: 'q' })];
    for (let i = 0; i < 9; i += 1) replies.push(stage2Call('perform_reasoning', { query: `q${i}` }));
    replies.push(stage2Answer('two'));
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: new ScriptedModel(replies) }, tools: offlineTools().tools });
    expect(lastEvent(events)).toMatchObject({ type: 'answer', steps: 10 });
  });
});

describe('errors and cancellation', () => {
  it('ends with the model error when a model call fails', async () => {
    const model = new ScriptedModel([
      async () => {
        throw new AppError('gpu-lost', 'The GPU was lost.');
      },
    ]);
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools: {} });
    const end = lastEvent(events);
    expect(end.type === 'error' && end.error.code).toBe('gpu-lost');
  });

  it('wraps a plain failure as an internal error', async () => {
    const model = { generate: () => Promise.reject(new TypeError('boom')) };
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools: {} });
    const end = lastEvent(events);
    expect(end.type === 'error' && end.error.code).toBe('internal');
    expect(end.type === 'error' && end.error.detail).toBe('TypeError: boom');
  });

  it('ends promptly when cancelled mid-generation, even if the model ignores the signal', async () => {
    const controller = new AbortController();
    let modelSignal: AbortSignal | undefined;
    const model = {
      generate: ({ onToken, signal }: { onToken?: (text: string) => void; signal: AbortSignal }) => {
        modelSignal = signal;
        onToken?.('<json>{"video');
        return new Promise<string>(() => undefined);
      },
    };
    const events: AgentEvent[] = [];
    for await (const event of runAgent({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools: {}, signal: controller.signal })) {
      events.push(event);
      if (event.type === 'token') controller.abort();
    }
    expect(events.map((event) => event.type)).toEqual(['stage-started', 'token', 'error']);
    const end = lastEvent(events);
    expect(end.type === 'error' && end.error.code).toBe('cancelled');
    expect(modelSignal?.aborted).toBe(true);
  });

  it('ends promptly when cancelled mid-tool, and the tool sees the abort', async () => {
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const model = new ScriptedModel([stage1Call('verbal_transcript', window('00:00:00', '00:01:00'))]);
    const { tools } = recordingTools({
      verbal_transcript: (_args, context) => {
        toolSignal = context.signal;
        queueMicrotask(() => controller.abort());
        return new Promise(() => undefined);
      },
    });
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools, signal: controller.signal });
    expect(events.map((event) => event.type).slice(-2)).toEqual(['tool-called', 'error']);
    const end = lastEvent(events);
    expect(end.type === 'error' && end.error.code).toBe('cancelled');
    expect(toolSignal?.aborted).toBe(true);
    expect(ofType(events, 'tool-result')).toHaveLength(0);
  });

  it('treats a tool that reports cancellation as a cancelled run, not a tool error', async () => {
    const model = new ScriptedModel([stage1Call('verbal_transcript', window('00:00:00', '00:01:00'))]);
    const { tools } = recordingTools({
      verbal_transcript: async () => {
        throw new AppError('cancelled', 'Cancelled.');
      },
    });
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools });
    const end = lastEvent(events);
    expect(end.type === 'error' && end.error.code).toBe('cancelled');
    expect(model.requests).toHaveLength(1);
  });

  it('does not call the model when the signal is already aborted', async () => {
    const model = new ScriptedModel([stage1Answer('x')]);
    const events = await collect({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools: {}, signal: AbortSignal.abort() });
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'error' && events[0].error.code).toBe('cancelled');
    expect(model.requests).toHaveLength(0);
  });

  it('aborts the model call when the consumer stops listening', async () => {
    let modelSignal: AbortSignal | undefined;
    const model = {
      generate: ({ onToken, signal }: { onToken?: (text: string) => void; signal: AbortSignal }) => {
        modelSignal = signal;
        onToken?.('x');
        return new Promise<string>(() => undefined);
      },
    };
    for await (const event of runAgent({ question: QUESTION, video: makeVideo(), models: { stage1: model }, tools: {} })) {
      if (event.type === 'token') break;
    }
    expect(modelSignal?.aborted).toBe(true);
  });
});

describe('follow-up questions', () => {
  it('shows an earlier video context to Stage 1, and Stage 2 falls back on it when Stage 1 is unreadable', async () => {
    const model = new ScriptedModel(['not json at all', stage2Answer('two')]);
    const events = await collect({
      question: QUESTION,
      video: makeVideo(),
      models: { stage1: model },
      tools: offlineTools().tools,
      earlierContext: 'A chef bakes a cake in a bright kitchen.',
    });
    expect(lastEvent(events)).toMatchObject({ type: 'answer', answer: 'two' });
    expect(model.requests[0]?.prompt).toContain('What an earlier look at this video found: A chef bakes a cake');
    expect(model.requests[1]?.prompt).toContain('What the video shows, from a first skim: A chef bakes a cake');
  });
});
