import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS, bucketOf, summarize } from '../../../eval/summary';
import { resultLine, transcriptCall } from './lines';

describe('bucketOf', () => {
  it("uses the paper's buckets, lower bound included", () => {
    expect([0.5, 59.9, 60, 179, 180, 300, 600, 1199, 1200, 2399, 2400, 10_000].map(bucketOf)).toEqual([
      '0-60', '0-60', '60-180', '60-180', '180-300', '300-600', '600-1200', '600-1200', '1200-2400', '1200-2400', '2400+', '2400+',
    ]);
    expect(bucketOf(null)).toBe('unknown');
  });
});

describe('summarize', () => {
  const lines = [
    resultLine({ id: 'a', duration: 30, correct: true }),
    resultLine({ id: 'b', duration: 50, correct: false, ques_type: 'mcq', judged_by: 'option', single_turn: false, steps: 2, tools: [transcriptCall(1), transcriptCall(2, true)] }),
    resultLine({ id: 'c', duration: 700, correct: true, modality: 'verbal', single_turn: false, steps: 1, tools: [transcriptCall(1)], seconds: { open: 1, skim: 1, stage1: 2, stage2: 3, tools: { verbal_transcript: 4 }, total: 11 } }),
    resultLine({ id: 'd', duration: null, correct: false, outcome: 'gave-up', prediction: null, judged_by: 'no-answer', single_turn: false, steps: 10, judge_seconds: 0 }),
    resultLine({ id: 'e', duration: 3000, correct: false, judge_error: 'no verdict', difficulty: 'hard' }),
  ];
  const summary = summarize(lines, 2);

  it('counts accuracy overall and in every bucket of the paper, with the empty ones and unknown durations shown', () => {
    expect(summary).toMatchObject({ questions: 5, correct: 2, accuracy: 0.4, missing_videos: 2 });
    expect(summary.by_duration.map((b) => b.bucket)).toEqual([...DURATION_BUCKETS.map((b) => b.label), 'unknown']);
    expect(summary.by_duration[0]).toMatchObject({ questions: 2, correct: 1, accuracy: 0.5, tools: { verbal_transcript: 2 }, tool_calls_per_question: 1 });
    expect(summary.by_duration[1]).toMatchObject({ questions: 0, correct: 0, accuracy: null, tool_calls_per_question: null });
    expect(summary.by_duration[4]).toMatchObject({ bucket: '600-1200', questions: 1, accuracy: 1 });
    expect(summary.by_duration.at(-1)).toMatchObject({ bucket: 'unknown', questions: 1, accuracy: 0 });
    expect(summarize([resultLine()]).by_duration.map((b) => b.bucket)).not.toContain('unknown');
  });

  it('breaks accuracy down by type, modality and difficulty', () => {
    expect(summary.by_type).toEqual({ mcq: { questions: 1, correct: 0, accuracy: 0 }, open_ended: { questions: 4, correct: 2, accuracy: 0.5 } });
    expect(summary.by_modality.verbal).toEqual({ questions: 1, correct: 1, accuracy: 1 });
    expect(summary.by_difficulty).toMatchObject({ easy: { questions: 4 }, hard: { questions: 1, correct: 0 } });
  });

  it('counts outcomes, how each was judged, and judge failures', () => {
    expect(summary.outcomes).toEqual({ answer: 4, 'gave-up': 1, error: 0 });
    expect(summary.judged_by).toEqual({ option: 1, judge: 3, 'no-answer': 1 });
    expect(summary.judge_errors).toBe(1);
  });

  it('gives the tool mix, steps and single-turn share', () => {
    expect(summary.tools).toEqual({ calls: 3, per_question: 0.6, questions_with_tools: 2, errors: 1, by_name: { verbal_transcript: 3 } });
    expect(summary.steps).toEqual({ mean: 2.6, max: 10, histogram: { '0': 2, '1': 1, '2': 1, '10': 1 } });
    expect(summary.single_turn_share).toBe(0.4);
  });

  it('gives seconds per question, judge included, and the mean of each stage', () => {
    // Totals plus judge time: 1.8, 1.8, 11.5, 1.3, 1.8.
    expect(summary.seconds_per_question).toEqual({ mean: 3.64, median: 1.8, max: 11.5 });
    expect(summary.stage_seconds_mean).toEqual({ open: 0.28, skim: 0.36, stage1: 1.2, stage2: 0.6, tools: 0.8, judge: 0.4 });
  });

  it('lists each distinct set of models once', () => {
    expect(summary.models).toEqual([{ orchestrator: 'm', vlm: 'm', reasoner: null, speech: null }]);
  });

  it('has no accuracy, rather than 0 or NaN, without results', () => {
    const empty = summarize([]);
    expect(empty).toMatchObject({ questions: 0, accuracy: null, single_turn_share: null, seconds_per_question: { mean: null, median: null, max: null } });
    expect(empty.by_duration.every((b) => b.accuracy === null)).toBe(true);
  });
});
