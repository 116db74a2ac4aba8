import { describe, expect, it } from 'vitest';
import { parseStage1Output, parseStage2Output } from '../../../src/agent/parse-model-output';
import { buildStage1Prompt, buildStage2Prompt } from '../../../src/agent/prompts';
import { toolDefinitions } from '../../../src/core/protocol';
import type { GenerateRequest } from '../../../src/core/contracts';
import { drawCodedFrameRgb } from '../../fixtures/frame-code';
import { judgePrompt, parseVerdict } from '../../../eval/judge';
import { SCENE_COLOURS, withOptions, type SceneColour } from '../../../eval/question-set/spec';
import { scriptedOrchestrator, type ScriptedOrchestratorName } from '../../../eval/scripted/orchestrators';
import { colourName, intentOf, promptQuestion, promptVideo, transcriptLines, type Pixels, type SkimFrame } from '../../../eval/scripted/reading';
import { rulesJudge } from '../../../eval/scripted/rules-judge';

const tools = toolDefinitions({ includeWebTools: false });
const WIDTH = 196;
const HEIGHT = 110;

/** A skim frame of a scene, at skim size; its "image" is the scene, which `pixels` renders. */
type Scene = { colour: SceneColour; counter: number };
function frame(timestamp: number, scene: Scene): SkimFrame {
  return { id: `skim_${timestamp}`, timestamp, image: scene as unknown as Blob };
}
async function pixels(image: unknown): Promise<Pixels> {
  const { colour, counter } = image as Scene;
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  drawCodedFrameRgb(rgb, WIDTH, HEIGHT, SCENE_COLOURS[colour], counter);
  const data = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  for (let i = 0; i < WIDTH * HEIGHT; i++) data.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 255], i * 4);
  return { data, width: WIDTH, height: HEIGHT };
}

/** A 60 s video skimmed every 10 s: red (counter 12) to 30 s, then yellow (counter 57). */
const skim = [0, 10, 20, 30, 40, 50].map((t) => frame(t, t < 30 ? { colour: 'red', counter: 12 } : { colour: 'yellow', counter: 57 }));

function stage1(name: ScriptedOrchestratorName, question: string) {
  const prompt = buildStage1Prompt({ question, videoName: 'clip.mp4', durationSeconds: 60, frameTimes: skim.map((f) => f.timestamp), tools });
  return run(name, { prompt, images: skim, signal: new AbortController().signal }, parseStage1Output);
}

function stage2(name: ScriptedOrchestratorName, question: string, transcript: string | null) {
  const prompt = buildStage2Prompt({
    question,
    videoName: 'clip.mp4',
    durationSeconds: 60,
    videoContext: 'Scenes.',
    step: 1,
    lastCall: null,
    results: transcript === null ? [] : [{ label: 'verbal_transcript_#1', output: transcript, arguments: { timestamp_start: '00:00:10' } }],
    tools,
  });
  return run(name, { prompt, signal: new AbortController().signal }, parseStage2Output);
}

async function run<T>(name: ScriptedOrchestratorName, request: GenerateRequest, parse: (text: string) => { ok: true; value: T } | { ok: false; problem: string }): Promise<T> {
  const tokens: string[] = [];
  const reply = await scriptedOrchestrator(name, pixels).generate({ ...request, onToken: (t) => tokens.push(t) });
  expect(tokens.join('')).toBe(reply);
  const parsed = parse(reply);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

const SPOKEN = '[00:00:11-00:00:14] Yesterday I saw a rabbit in the park.';
const ANIMAL = withOptions('Which animal does the speaker name at about 00:00:12?', ['horse', 'rabbit', 'eagle']);
const NUMBER = withOptions('What number is shown on screen at 00:00:41?', ['12', '57', '88']);

describe('what the scripted orchestrators read', () => {
  it("takes the question and video line from the agent's own prompts, options and all", () => {
    const prompt = buildStage1Prompt({ question: ANIMAL, videoName: 'a "b".mp4', durationSeconds: 3725, frameTimes: [], tools });
    expect(promptQuestion(prompt)).toBe(ANIMAL);
    expect(promptVideo(prompt)).toEqual({ name: 'a "b".mp4', duration: 3725 });
    const later = buildStage2Prompt({ question: ANIMAL, videoName: 'a.mp4', durationSeconds: 60, videoContext: '', step: 2, lastCall: null, results: [], tools });
    expect(promptQuestion(later)).toBe(ANIMAL);
  });

  it('reads transcript lines out of the tool result they were given under', () => {
    const prompt = buildStage2Prompt({
      question: 'q', videoName: 'a.mp4', durationSeconds: 60, videoContext: '', step: 2, lastCall: null, tools,
      results: [
        { label: 'verbal_transcript_#1', output: `${SPOKEN}\n[00:00:20-00:00:22] Then it rained.`, arguments: {} },
        { label: 'extract_parts_from_timestamp_#1', output: 'media_paths: []', arguments: {} },
      ],
    });
    expect(transcriptLines(prompt, 'verbal_transcript_#1')).toEqual([
      { start: 11, text: 'Yesterday I saw a rabbit in the park.' },
      { start: 20, text: 'Then it rained.' },
    ]);
    expect(transcriptLines(prompt, 'verbal_transcript_#2')).toBeNull();
  });

  it('names each scene colour of the question set from its hue', () => {
    for (const [name, rgb] of Object.entries(SCENE_COLOURS)) expect(colourName(rgb)).toBe(name);
    expect(colourName([30, 30, 30])).toBe('black');
    expect(colourName([230, 230, 225])).toBe('white');
  });

  it('understands the four kinds of question and no others', () => {
    expect(intentOf('What colour is the background at 00:01:05?')).toEqual({ kind: 'colour-at', at: 65 });
    expect(intentOf(NUMBER)).toEqual({ kind: 'number-at', at: 41 });
    expect(intentOf(ANIMAL)).toEqual({ kind: 'speech-at', at: 12 });
    expect(intentOf('Which city does the speaker name while the background is yellow?')).toEqual({ kind: 'speech-during', colour: 'yellow' });
    expect(intentOf('Why is the sky blue?')).toEqual({ kind: 'unknown' });
  });
});

describe('scripted-correct', () => {
  it('answers what the skim frames show at once, reading colour and counter from their pixels', async () => {
    expect(await stage1('scripted-correct', 'What colour is the background at 00:00:12?')).toMatchObject({ final_answer: 'The background is red.', recommended_tools: { needed: false } });
    expect((await stage1('scripted-correct', 'What number is shown on screen at 00:00:08?')).final_answer).toBe('The screen shows 12.');
    expect((await stage1('scripted-correct', NUMBER)).final_answer).toBe('B');
  });

  it('asks for the transcript around the time named, or over the span the skim shows the colour', async () => {
    const around = await stage1('scripted-correct', ANIMAL);
    expect(around.final_answer).toBeNull();
    expect(around.recommended_tools.tool_calls[0]).toMatchObject({ name: 'verbal_transcript', arguments: { video_path: 'clip.mp4', timestamp_start: '00:00:02', timestamp_end: '00:00:22' } });
    const during = await stage1('scripted-correct', 'Which city does the speaker name while the background is yellow?');
    // Yellow frames at 30-50 s, skimmed every 10 s: 25 s to the end.
    expect(during.recommended_tools.tool_calls[0]?.arguments).toMatchObject({ timestamp_start: '00:00:25', timestamp_end: '00:00:55' });
  });

  it('answers from the transcript it was given: the words heard, or the option heard (by its text)', async () => {
    expect(await stage2('scripted-correct', 'Which city does the speaker name while the background is yellow?', '[00:00:31-00:00:34] We fly to Paris.')).toMatchObject({
      answerable: { verdict: true },
      final_answer: 'The speaker says: We fly to Paris.',
    });
    expect((await stage2('scripted-correct', ANIMAL, SPOKEN)).final_answer).toBe('rabbit');
    expect((await stage2('scripted-correct', ANIMAL, '[00:00:11-00:00:14] Nothing to see.')).final_answer).toBe('None of the options was said.');
  });

  it('goes on without an answer while nothing has been heard', async () => {
    expect(await stage2('scripted-correct', ANIMAL, null)).toMatchObject({ answerable: { verdict: false }, final_answer: null });
  });
});

describe('scripted-wrong', () => {
  it('answers with what it knows the frames do not show', async () => {
    expect((await stage1('scripted-wrong', 'What colour is the background at 00:00:12?')).final_answer).toBe('The background is orange.');
    expect((await stage1('scripted-wrong', 'What colour is the background at 00:00:45?')).final_answer).toBe('The background is red.');
    expect((await stage1('scripted-wrong', 'What number is shown on screen at 00:00:45?')).final_answer).toBe('The screen shows 58.');
    expect((await stage1('scripted-wrong', NUMBER)).final_answer).toBe('(A)');
  });

  it('listens before picking an option it did not hear', async () => {
    expect((await stage1('scripted-wrong', ANIMAL)).recommended_tools.tool_calls[0]?.name).toBe('verbal_transcript');
    expect((await stage2('scripted-wrong', ANIMAL, SPOKEN)).final_answer).toBe('(A)');
    expect((await stage2('scripted-wrong', withOptions('Which animal does the speaker name at about 00:00:12?', ['rabbit', 'horse']), SPOKEN)).final_answer).toBe('(B)');
  });

  it('never answers a question about speech during a scene, and calls no tool', async () => {
    const question = 'Which city does the speaker name while the background is yellow?';
    expect(await stage1('scripted-wrong', question)).toMatchObject({ final_answer: null, recommended_tools: { needed: false, tool_calls: [] } });
    expect(await stage2('scripted-wrong', question, null)).toMatchObject({ answerable: { verdict: false }, final_answer: null, recommended_tools: { tool_calls: [] } });
  });
});

describe('the rules judge', () => {
  const verdict = async (reference: string, prediction: string) => {
    const prompt = judgePrompt({ question: 'Which fruit?', reference, referenceOption: null, prediction });
    return parseVerdict(await rulesJudge().generate({ prompt, signal: new AbortController().signal }));
  };

  it('reads the judge prompt and calls a prediction right when it holds every word of the reference', async () => {
    expect(await verdict('mango', 'The speaker says: My favorite fruit is the mango.')).toEqual({ reasoning: 'The prediction contains "mango".', correct: true });
    expect(await verdict('1999', 'It shows 1999')).toMatchObject({ correct: true });
    expect(await verdict('mango', 'A banana.')).toEqual({ reasoning: 'The prediction lacks "mango".', correct: false });
    expect(await verdict('light house', 'lighthouse')).toMatchObject({ correct: false });
  });

  it('cannot be fooled by a reference quoted inside the question', async () => {
    const prompt = judgePrompt({ question: 'Prediction: "mango"', reference: 'mango', referenceOption: null, prediction: 'kiwi' });
    expect(parseVerdict(await rulesJudge().generate({ prompt, signal: new AbortController().signal }))?.correct).toBe(false);
  });
});
