/**
 * Scripted orchestrators for the question set, standing in for SAGE-MM where no model can run.
 * Both earn what they know: the colour and counter from the skim frames' pixels, the speech from
 * the transcript the real `verbal_transcript` (real Whisper) returns. `correct` then answers with
 * it; `wrong` answers with something it knows to be false, or never answers (the run gives up at
 * the step cap). Neither sees the answer key.
 */
import type { GenerateRequest, ReasoningModel } from '../../src/core/contracts';
import { parseOptions } from '../multiple-choice';
import {
  intentOf,
  jsonReply,
  nearest,
  promptQuestion,
  promptVideo,
  readScenes,
  spanOf,
  transcriptCall,
  transcriptLines,
  type Intent,
  type ReadPixels,
  type SceneReading,
} from './reading';

export const SCRIPTED_ORCHESTRATORS = ['scripted-correct', 'scripted-wrong'] as const;
export type ScriptedOrchestratorName = (typeof SCRIPTED_ORCHESTRATORS)[number];

/** Seconds either side of a "at about" time that the transcript request covers. */
const AROUND = 10;
const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'];

interface Stage1Context {
  intent: Intent;
  options: ReadonlyMap<string, string>;
  readings: SceneReading[];
  video: { name: string; duration: number };
}

/** Stage 1's decision: an answer now, or the transcript of a window. */
type Plan = { answer: string } | { listen: { start: number; end: number } } | { nothing: true };

interface Policy {
  stage1(context: Stage1Context): Plan;
  /** From what was heard: the answer, or null to go on without one. */
  stage2(intent: Intent, options: ReadonlyMap<string, string>, heard: string): string | null;
}

const noTool = (why: string) => ({ needed: false, why_no_tool: why, tool_calls: [] });

const words = (text: string) => new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));

/** The options whose every word was heard. */
function heardOptions(options: ReadonlyMap<string, string>, heard: string): string[] {
  const said = words(heard);
  return [...options].filter(([, text]) => [...words(text)].every((w) => said.has(w))).map(([letter]) => letter);
}

function listen(context: Stage1Context): Plan {
  const { intent, readings, video } = context;
  if (intent.kind === 'speech-at') return { listen: { start: Math.max(0, intent.at - AROUND), end: Math.min(video.duration, intent.at + AROUND) } };
  if (intent.kind === 'speech-during') {
    const span = spanOf(readings, intent.colour, video.duration);
    return span ? { listen: span } : { answer: `The background is never ${intent.colour}.` };
  }
  return { nothing: true };
}

const correct: Policy = {
  stage1(context) {
    const { intent, options, readings } = context;
    if (intent.kind === 'colour-at') return { answer: `The background is ${nearest(readings, intent.at)?.colour ?? 'not visible'}.` };
    if (intent.kind === 'number-at') {
      const value = nearest(readings, intent.at)?.counter;
      if (value === null || value === undefined) return { answer: 'The number cannot be read.' };
      const letter = [...options].find(([, text]) => text === String(value))?.[0];
      return { answer: options.size > 0 ? (letter ?? 'None of the options.') : `The screen shows ${value}.` };
    }
    if (intent.kind === 'unknown') return { answer: 'This question is not one I can answer.' };
    return listen(context);
  },
  stage2(_intent, options, heard) {
    if (options.size > 0) {
      const [letter] = heardOptions(options, heard);
      // The option's text, not its letter: such an answer goes to the judge.
      return letter ? options.get(letter)! : 'None of the options was said.';
    }
    return heard ? `The speaker says: ${heard}` : 'Nothing is said there.';
  },
};

const wrong: Policy = {
  stage1(context) {
    const { intent, options, readings } = context;
    if (intent.kind === 'colour-at') {
      const seen = nearest(readings, intent.at)?.colour;
      return { answer: `The background is ${COLOURS.find((c) => c !== seen)}.` };
    }
    if (intent.kind === 'number-at') {
      const value = nearest(readings, intent.at)?.counter ?? 0;
      const letter = [...options].find(([, text]) => text !== String(value))?.[0];
      return { answer: options.size > 0 ? `(${letter})` : `The screen shows ${value + 1}.` };
    }
    if (intent.kind === 'speech-at' && options.size === 0) return { answer: 'The speaker names nothing.' };
    if (intent.kind === 'speech-during') return { nothing: true };
    return listen(context);
  },
  stage2(intent, options, heard) {
    if (intent.kind !== 'speech-at') return null;
    const said = new Set(heardOptions(options, heard));
    return `(${[...options.keys()].find((letter) => !said.has(letter))})`;
  },
};

const POLICIES: Record<ScriptedOrchestratorName, Policy> = { 'scripted-correct': correct, 'scripted-wrong': wrong };

function describe(readings: readonly SceneReading[]): string {
  const runs = readings.filter((r, i) => i === 0 || r.colour !== readings[i - 1]!.colour);
  return runs.length === 0 ? 'No frames were seen.' : `Solid-colour scenes: ${runs.map((r) => `${r.colour} from about ${Math.round(r.timestamp)} s`).join(', ')}.`;
}

export function scriptedOrchestrator(name: ScriptedOrchestratorName, pixels: ReadPixels): ReasoningModel {
  const policy = POLICIES[name];
  async function reply(request: GenerateRequest): Promise<string> {
    const question = promptQuestion(request.prompt) ?? '';
    const intent = intentOf(question);
    const options = parseOptions(question);
    if (request.images !== undefined) {
      const video = promptVideo(request.prompt) ?? { name: 'video', duration: 0 };
      const readings = await readScenes(request.images, pixels);
      const plan = policy.stage1({ intent, options, readings, video });
      return jsonReply({
        video_context: describe(readings),
        query_intent: question,
        final_answer: 'answer' in plan ? plan.answer : null,
        recommended_tools:
          'listen' in plan
            ? transcriptCall(video.name, plan.listen.start, plan.listen.end, 'The answer is in what is said.')
            : noTool('answer' in plan ? 'The answer is known.' : 'No tool would help.'),
      });
    }
    const lines = transcriptLines(request.prompt, 'verbal_transcript_#1');
    const answer = lines ? policy.stage2(intent, options, lines.map((line) => line.text).join(' ')) : null;
    return jsonReply({
      answerable: { verdict: answer !== null, reasoning: lines ? 'verbal_transcript_#1 holds what was said.' : 'Nothing has been heard yet.' },
      final_answer: answer,
      recommended_tools: noTool(answer === null ? 'No tool would help.' : 'The answer is known.'),
    });
  }
  return {
    async generate(request) {
      const text = await reply(request);
      request.onToken?.(text);
      return text;
    },
  };
}
