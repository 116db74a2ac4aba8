import { describe, expect, it } from 'vitest';
import { namedOption, parseOptions, referenceOption } from '../../../eval/multiple-choice';
import { VIDEOS, questionLines, sceneAt } from '../../../eval/question-set/spec';
import { parseQuestions } from '../../../eval/questions';
import { DURATION_BUCKETS, bucketOf } from '../../../eval/summary';
import { CODE_BITS } from '../../fixtures/frame-code';

/** How far from a scene change a question's time must be for a skim frame to land in its scene. */
const MARGIN_SECONDS = 5;

describe('the question set', () => {
  it('has a video in every duration bucket of the paper', () => {
    expect(VIDEOS.map((video) => bucketOf(video.duration))).toEqual(DURATION_BUCKETS.map((bucket) => bucket.label));
  });

  it('covers each video with scenes end to end, every counter fitting the strip', () => {
    for (const video of VIDEOS) {
      expect(video.scenes[0]?.start).toBe(0);
      expect(video.scenes.at(-1)?.end).toBe(video.duration);
      video.scenes.forEach((scene, i) => {
        if (i > 0) expect(scene.start).toBe(video.scenes[i - 1]!.end);
        expect(scene.counter).toBeLessThan(2 ** CODE_BITS);
      });
    }
  });

  it('asks about times well inside a scene, and each answer is there only once', () => {
    for (const video of VIDEOS) {
      for (const question of video.questions) {
        if (question.kind === 'speech-during') {
          const scenes = video.scenes.filter((scene) => scene.colour === question.colour);
          expect(scenes, `${video.id} ${question.colour}`).toHaveLength(1);
          const said = video.speech.filter((u) => u.at >= scenes[0]!.start + MARGIN_SECONDS && u.at < scenes[0]!.end - MARGIN_SECONDS);
          expect(said.map((u) => u.text.includes(question.answer))).toEqual([true]);
          continue;
        }
        const scene = sceneAt(video, question.at);
        expect(question.at - scene.start, `${video.id} at ${question.at}`).toBeGreaterThanOrEqual(MARGIN_SECONDS);
        expect(scene.end - question.at).toBeGreaterThanOrEqual(MARGIN_SECONDS);
        if (question.kind === 'speech-at') {
          // The one sentence within the ±10 s the scripted orchestrator listens to.
          const near = video.speech.filter((u) => Math.abs(u.at - question.at) <= 12);
          expect(near.map((u) => u.text.toLowerCase().includes(question.answer.toLowerCase()))).toEqual([true]);
          if (question.options) expect(question.options.filter((o) => o === question.answer)).toHaveLength(1);
        }
        if (question.kind === 'number-at' && question.options) expect(question.options.filter((o) => o === scene.counter)).toHaveLength(1);
      }
    }
  });

  it("writes lines the harness reads as SAGE-Bench's, multiple choice with a known right letter", () => {
    const questions = parseQuestions(questionLines().map((line) => JSON.stringify(line)).join('\n'));
    expect(questions).toHaveLength(VIDEOS.reduce((n, video) => n + video.questions.length, 0));
    expect(new Set(questions.map((q) => q.modality))).toEqual(new Set(['visual', 'verbal', 'both']));
    for (const question of questions.filter((q) => q.type === 'mcq')) {
      const options = parseOptions(question.question);
      const letter = referenceOption(options, question.reference);
      expect(letter, question.question).not.toBeNull();
      expect(namedOption(`(${letter})`, options)).toBe(letter);
    }
    expect(questions.filter((q) => q.type === 'mcq').length).toBeGreaterThan(0);
    expect(questions.every((q) => q.duration === null)).toBe(true);
  });
});
