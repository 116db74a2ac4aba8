/**
 * Our own small question set with known answers, as data: seven generated videos, one per duration
 * bucket of the paper, each a few solid-colour scenes with an on-screen counter and a few spoken
 * sentences at known times. `make-question-set.ts` renders the videos and writes the questions in
 * SAGE-Bench's fields (no id and no duration, as in SAGE-Bench: the harness derives the one and
 * measures the other).
 */
import { formatTimestamp } from '../../src/core/time';

export const SCENE_COLOURS = {
  red: [220, 40, 40],
  orange: [240, 140, 30],
  yellow: [235, 215, 40],
  green: [40, 170, 70],
  blue: [40, 90, 220],
  purple: [140, 60, 190],
} as const;

export type SceneColour = keyof typeof SCENE_COLOURS;

export interface Scene {
  /** Seconds; scenes follow each other without gaps and cover the whole video. */
  start: number;
  end: number;
  colour: SceneColour;
  /** Shown as text ("No. 417") and as the binary strip of tests/fixtures/frame-code.ts. */
  counter: number;
}

export interface Utterance {
  /** When the sentence starts, in seconds. */
  at: number;
  text: string;
}

type Question =
  | { kind: 'colour-at'; at: number }
  | { kind: 'number-at'; at: number; options?: readonly number[] }
  | { kind: 'speech-at'; at: number; what: string; answer: string; options?: readonly string[] }
  | { kind: 'speech-during'; colour: SceneColour; what: string; answer: string };

export interface SetVideo {
  /** SAGE-Bench's `video_id`; the file is `<id>.mp4`. */
  id: string;
  duration: number;
  scenes: readonly Scene[];
  speech: readonly Utterance[];
  questions: readonly Question[];
}

/** A question line as SAGE-Bench has it. */
export interface SetQuestionLine {
  video_id: string;
  question: string;
  gt_answer: string;
  ques_type: 'mcq' | 'open_ended';
  difficulty: 'easy' | 'medium' | 'hard';
  modality: 'visual' | 'verbal' | 'both';
}

function scenes(duration: number, parts: ReadonlyArray<[SceneColour, number]>): Scene[] {
  const length = duration / parts.length;
  return parts.map(([colour, counter], i) => ({ start: i * length, end: (i + 1) * length, colour, counter }));
}

export const VIDEOS: readonly SetVideo[] = [
  {
    id: 'clip-45s',
    duration: 45,
    scenes: scenes(45, [['red', 12], ['green', 57], ['blue', 305]]),
    speech: [{ at: 20, text: 'My favourite fruit is the mango.' }],
    questions: [
      { kind: 'colour-at', at: 7 },
      { kind: 'speech-at', at: 21, what: 'fruit', answer: 'mango' },
      { kind: 'number-at', at: 37, options: [12, 57, 305, 88] },
    ],
  },
  {
    id: 'clip-150s',
    duration: 150,
    scenes: scenes(150, [['yellow', 4], ['purple', 81], ['orange', 930]]),
    speech: [{ at: 70, text: 'Yesterday I saw a rabbit in the park.' }],
    questions: [
      { kind: 'speech-at', at: 71, what: 'animal', answer: 'rabbit', options: ['horse', 'tiger', 'rabbit', 'eagle'] },
      { kind: 'number-at', at: 125 },
    ],
  },
  {
    id: 'clip-260s',
    duration: 260,
    scenes: [
      { start: 0, end: 90, colour: 'blue', counter: 210 },
      { start: 90, end: 180, colour: 'yellow', counter: 33 },
      { start: 180, end: 260, colour: 'green', counter: 7 },
    ],
    speech: [
      { at: 30, text: 'The weather today is cold and windy.' },
      { at: 130, text: 'Next summer we are flying to Paris.' },
    ],
    questions: [
      { kind: 'speech-during', colour: 'yellow', what: 'city', answer: 'Paris' },
      { kind: 'colour-at', at: 230 },
    ],
  },
  {
    id: 'clip-450s',
    duration: 450,
    scenes: scenes(450, [['orange', 64], ['red', 512], ['purple', 1999]]),
    speech: [
      { at: 200, text: 'My sister plays the piano every evening.' },
      { at: 380, text: 'The train to Berlin leaves at noon.' },
    ],
    questions: [
      { kind: 'speech-at', at: 201, what: 'instrument', answer: 'piano' },
      { kind: 'number-at', at: 370, options: [1999, 1998, 512, 64] },
    ],
  },
  {
    id: 'clip-900s',
    duration: 900,
    // The last scene is short, so the transcript of it is too.
    scenes: [
      { start: 0, end: 300, colour: 'green', counter: 150 },
      { start: 300, end: 820, colour: 'blue', counter: 42 },
      { start: 820, end: 900, colour: 'yellow', counter: 777 },
    ],
    speech: [
      { at: 450, text: 'For dinner we cooked fresh salmon.' },
      { at: 850, text: 'I left my umbrella on the bus.' },
    ],
    questions: [
      { kind: 'colour-at', at: 450 },
      { kind: 'speech-during', colour: 'yellow', what: 'object', answer: 'umbrella' },
    ],
  },
  {
    id: 'clip-1800s',
    duration: 1800,
    scenes: scenes(1800, [['purple', 300], ['red', 25], ['blue', 4096]]),
    speech: [
      { at: 900, text: 'My brother drives a big tractor.' },
      { at: 1500, text: 'We planted tulips in the garden.' },
    ],
    questions: [
      { kind: 'number-at', at: 900 },
      { kind: 'speech-at', at: 901, what: 'vehicle', answer: 'tractor', options: ['truck', 'tractor', 'bicycle', 'boat'] },
    ],
  },
  {
    id: 'clip-2700s',
    duration: 2700,
    scenes: [
      { start: 0, end: 1200, colour: 'yellow', counter: 88 },
      { start: 1200, end: 2580, colour: 'green', counter: 640 },
      { start: 2580, end: 2700, colour: 'orange', counter: 31 },
    ],
    speech: [
      { at: 1300, text: 'The old castle on the hill is painted white.' },
      { at: 2620, text: 'Please bring me a cup of coffee.' },
    ],
    questions: [
      { kind: 'colour-at', at: 2640 },
      { kind: 'speech-during', colour: 'orange', what: 'drink', answer: 'coffee' },
    ],
  },
];

/** SAGE-Bench's wording for the options of a multiple-choice question. */
export function withOptions(question: string, options: readonly string[]): string {
  const letters = options.map((option, i) => `(${String.fromCharCode(65 + i)}) ${option}`);
  return `${question}\n Answer the question based on the following options: \n ${letters.join('\n ')}`;
}

export function sceneAt(video: SetVideo, seconds: number): Scene {
  const scene = video.scenes.find((s) => seconds >= s.start && seconds < s.end);
  if (!scene) throw new Error(`${video.id}: no scene at ${seconds} s`);
  return scene;
}

function line(video: SetVideo, question: Question): SetQuestionLine {
  const base = { video_id: video.id };
  switch (question.kind) {
    case 'colour-at':
      return {
        ...base,
        question: `What colour is the background at ${formatTimestamp(question.at)}?`,
        gt_answer: sceneAt(video, question.at).colour,
        ques_type: 'open_ended',
        difficulty: 'easy',
        modality: 'visual',
      };
    case 'number-at': {
      const text = `What number is shown on screen at ${formatTimestamp(question.at)}?`;
      const answer = String(sceneAt(video, question.at).counter);
      return {
        ...base,
        question: question.options ? withOptions(text, question.options.map(String)) : text,
        gt_answer: answer,
        ques_type: question.options ? 'mcq' : 'open_ended',
        difficulty: 'medium',
        modality: 'visual',
      };
    }
    case 'speech-at': {
      const text = `Which ${question.what} does the speaker name at about ${formatTimestamp(question.at)}?`;
      return {
        ...base,
        question: question.options ? withOptions(text, question.options) : text,
        gt_answer: question.answer,
        ques_type: question.options ? 'mcq' : 'open_ended',
        difficulty: 'medium',
        modality: 'verbal',
      };
    }
    case 'speech-during':
      return {
        ...base,
        question: `Which ${question.what} does the speaker name while the background is ${question.colour}?`,
        gt_answer: question.answer,
        ques_type: 'open_ended',
        difficulty: 'hard',
        modality: 'both',
      };
  }
}

export function questionLines(videos: readonly SetVideo[] = VIDEOS): SetQuestionLine[] {
  return videos.flatMap((video) => video.questions.map((question) => line(video, question)));
}
