import { describe, expect, it } from 'vitest';
import type { AnswerEvent, AgentEvent } from '../../../src/agent/events';
import { answerFromSpeech, isMultipleChoice, type SpeechAnswerInput } from '../../../src/agent/speech-answer';
import type { SpeechRequest, TextGenerateRequest, TimeSpan, TranscriptSegment } from '../../../src/core/contracts';
import { TranscriptCache } from '../../../src/tools/transcript-cache';

/** A lecture's speech: Whisper's double hears, in any window, the lines whose start lies in it. */
const LECTURE: TranscriptSegment[] = [
  { start: 3, end: 7, text: 'Today we talk about how plants make their food.' },
  { start: 29, end: 33, text: 'The green pigment in leaves is called chlorophyll.' },
  { start: 65, end: 69, text: 'Plants release oxygen as a by-product.' },
  { start: 130, end: 134, text: 'Next week we look at roots.' },
];

function speechOf(lines: TranscriptSegment[], cache = new TranscriptCache()) {
  const listened: TimeSpan[] = [];
  let pending = 0;
  const speech = {
    cache,
    audio: {
      audio: async (window: TimeSpan) => {
        pending = window.start;
        listened.push(window);
        return new Float32Array(Math.round((window.end - window.start) * 16000));
      },
    },
    transcriber: {
      transcribe: async (audio: Float32Array, options: SpeechRequest) => {
        const end = options.offsetSeconds + audio.length / 16000;
        expect(options.offsetSeconds).toBe(pending);
        return { segments: lines.filter((line) => line.start >= options.offsetSeconds && line.start < end), whisperSeconds: 1 };
      },
    },
  };
  return { speech, listened };
}

async function run(input: Partial<SpeechAnswerInput> & Pick<SpeechAnswerInput, 'question' | 'speech'>): Promise<{ events: AgentEvent[]; answer: AnswerEvent }> {
  const events: AgentEvent[] = [];
  for await (const event of answerFromSpeech({ videoName: 'lecture.mp4', duration: 150, reason: 'the vision model (Qwen3.5 0.8B, 703 MB) is not stored and the page is offline', ...input })) events.push(event);
  const answer = events.at(-1);
  if (answer?.type !== 'answer') throw new Error(`ended with ${JSON.stringify(answer)}`);
  return { events, answer };
}

describe('answerFromSpeech', () => {
  it('listens window by window until a passage answers, then gives that passage with its clickable time and says what it searched', async () => {
    const { speech, listened } = speechOf(LECTURE);
    const { events, answer } = await run({ question: 'What is the green pigment in leaves called?', speech });
    // The first minute holds the answer, so the rest is not transcribed (heard up to 8 s past it, so
    // that a sentence across the border is whole).
    expect(listened).toEqual([{ start: 0, end: 68 }]);
    expect(events.filter((e) => e.type === 'tool-called').map((e) => e.type === 'tool-called' && e.arguments)).toEqual([
      { video_path: 'lecture.mp4', timestamp_start: '00:00:00', timestamp_end: '00:01:00' },
    ]);
    expect(answer.answer).toBe(
      [
        'From the speech only: the frames were not looked at because the vision model (Qwen3.5 0.8B, 703 MB) is not stored and the page is offline.',
        'Searched the speech of 00:00–01:00 of 02:30.',
        'The passages of the speech that best match the question:',
        '[00:29] “The green pigment in leaves is called chlorophyll.”',
      ].join('\n'),
    );
    expect(answer.spans[0]).toEqual({ start: 29, end: 33 });
    expect(answer.speechOnly).toEqual({
      reason: 'the vision model (Qwen3.5 0.8B, 703 MB) is not stored and the page is offline',
      searched: [{ start: 0, end: 60 }],
      complete: false,
      writer: null,
    });
  });

  it('a question the speech does not answer searches the whole video and says nothing matches', async () => {
    const { speech, listened } = speechOf(LECTURE);
    const { answer } = await run({ question: 'What colour is the square on the slide?', speech });
    // Each minute is heard from 2 s before it.
    expect(listened.map((w) => w.start)).toEqual([0, 58, 118]);
    expect(answer.answer).toContain('Nothing said in the part of the speech searched matches the question.');
    expect(answer.answer).not.toContain('Searched the speech of');
    expect(answer.speechOnly?.complete).toBe(true);
  });

  it('uses what is already transcribed and listens to no window that is covered', async () => {
    const cache = new TranscriptCache();
    cache.add({ start: 0, end: 150 }, LECTURE);
    const { speech, listened } = speechOf(LECTURE, cache);
    const { events, answer } = await run({ question: 'When do plants release oxygen?', speech });
    expect(listened).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['answer']);
    expect(answer.answer).toContain('[01:05] “Plants release oxygen as a by-product.”');
  });

  it('without a text model a multiple-choice question gets no pick, only the passages', async () => {
    const { speech } = speechOf(LECTURE);
    const question = 'What is the green pigment called?\nA. carotene\nB. chlorophyll';
    expect(isMultipleChoice(question)).toBe(true);
    expect(isMultipleChoice('What is the green pigment called?')).toBe(false);
    const { answer } = await run({ question, speech });
    expect(answer.answer).toContain('Picking an option needs a text model, and none can run here.');
    expect(answer.answer).not.toMatch(/^B\b|answer is B/m);
  });

  it('a text model writes the answer from the passages; its citations are checked against them', async () => {
    const requests: TextGenerateRequest[] = [];
    const writer = (reply: string) => ({
      label: 'Qwen3 0.6B',
      model: {
        generate: async (request: TextGenerateRequest) => {
          requests.push(request);
          return reply;
        },
      },
    });
    const cited = await run({ question: 'What is the green pigment called?', speech: speechOf(LECTURE).speech, writer: writer('<think>hm</think>It is chlorophyll [00:29].') });
    expect(requests[0]!.prompt).toContain('[00:29] The green pigment in leaves is called chlorophyll.');
    expect(cited.answer.answer.split('\n').at(-1)).toBe('It is chlorophyll [00:29].');
    expect(cited.answer.speechOnly?.writer).toBe('Qwen3 0.6B');
    // A citation of no passage it was given: the passages follow, so every time shown is real.
    const uncited = await run({ question: 'What is the green pigment called?', speech: speechOf(LECTURE).speech, writer: writer('It is chlorophyll [09:99].') });
    expect(uncited.answer.answer).toContain('The passages it read:\n[00:29] “The green pigment in leaves is called chlorophyll.”');
  });

  it('stopping ends it with a cancelled error', async () => {
    const controller = new AbortController();
    const { speech } = speechOf(LECTURE);
    speech.transcriber.transcribe = async () => {
      controller.abort();
      return { segments: [], whisperSeconds: 0 };
    };
    const events: AgentEvent[] = [];
    for await (const event of answerFromSpeech({ question: 'oxygen?', videoName: 'v', duration: 150, reason: 'r', speech, signal: controller.signal })) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
  });
});
