/** Result lines for the summary and report tests. */
import type { ResultLine } from '../../../eval/records';

export function resultLine(overrides: Partial<ResultLine> = {}): ResultLine {
  return {
    id: 'q1',
    video_id: 'v1',
    question: 'What colour is the background?',
    gt_answer: 'red',
    ques_type: 'open_ended',
    difficulty: 'easy',
    modality: 'visual',
    duration: 45,
    outcome: 'answer',
    prediction: 'Red.',
    message: null,
    error_code: null,
    single_turn: true,
    steps: 0,
    tools: [],
    seconds: { open: 0.1, skim: 0.2, stage1: 1, stage2: 0, tools: {}, total: 1.3 },
    models: { orchestrator: 'm', vlm: 'm', reasoner: null, speech: null },
    correct: true,
    judged_by: 'judge',
    judge_reasoning: 'Same colour.',
    judge_model: 'j',
    judge_seconds: 0.5,
    judge_error: null,
    ...overrides,
  };
}

export const transcriptCall = (step: number, error = false) => ({ step, name: 'verbal_transcript', label: `verbal_transcript_#${step}`, arguments: {}, error });
