import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuestions, videoFile, type EvalQuestion } from '../../../eval/questions';

describe('parseQuestions', () => {
  it("reads SAGE-Bench's fields, deriving the id from question and video and leaving the duration to be measured", () => {
    const line = { video_id: 'jgYJ5V2HYy4', question: 'Which is NOT listed?', gt_answer: 'Call your mom', ques_type: 'open-ended', difficulty: 'medium', modality: 'both' };
    const [question] = parseQuestions(`${JSON.stringify(line)}\n\n`);
    expect(question).toEqual({
      id: createHash('md5').update('Which is NOT listed?|jgYJ5V2HYy4').digest('hex'),
      video: 'jgYJ5V2HYy4',
      question: 'Which is NOT listed?',
      reference: 'Call your mom',
      type: 'open_ended',
      difficulty: 'medium',
      modality: 'both',
      duration: null,
    });
  });

  it("reads the release's result-file fields: path, full_answer, duration, an id", () => {
    const line = { id: 'abc', path: 'data/x/x.mp4', question: 'Q?', full_answer: '18', ques_type: 'mcq', duration: 706 };
    expect(parseQuestions(JSON.stringify(line))[0]).toMatchObject({ id: 'abc', video: 'data/x/x.mp4', reference: '18', type: 'mcq', duration: 706, modality: null });
  });

  it('says which line is wrong and why', () => {
    const good = JSON.stringify({ id: 'a', video_id: 'v', question: 'Q', gt_answer: 'A' });
    expect(() => parseQuestions(`${good}\n{"video_id": "v", "question": "Q"}`, 'q.jsonl')).toThrow('Line 2 of q.jsonl has no gt_answer.');
    expect(() => parseQuestions('not json')).toThrow(/Line 1 .* is not JSON/);
    expect(() => parseQuestions('[1]')).toThrow(/not a JSON object/);
    expect(() => parseQuestions(`${good}\n${good}`)).toThrow(/repeats the question id a/);
  });
});

describe('videoFile', () => {
  const question = (video: string): EvalQuestion => ({ id: 'q', video, question: 'Q', reference: 'A', type: 'mcq', difficulty: null, modality: null, duration: null });
  const present = (...files: string[]) => (path: string) => files.includes(path);

  it('finds an id as <id>.mp4, or <id>/<id>.mp4 as the release stores downloads', () => {
    expect(videoFile(question('abc'), '/v', present('/v/abc.mp4'))).toBe('/v/abc.mp4');
    expect(videoFile(question('abc'), '/v', present(join('/v', 'abc', 'abc.mp4')))).toBe('/v/abc/abc.mp4');
  });

  it('finds a path under the folder, or its file name there', () => {
    expect(videoFile(question('data/x/x.mp4'), '/v', present('/v/data/x/x.mp4'))).toBe('/v/data/x/x.mp4');
    expect(videoFile(question('data/x/x.mp4'), '/v', present('/v/x.mp4'))).toBe('/v/x.mp4');
  });

  it('names where it looked when the video is not there', () => {
    expect(() => videoFile(question('abc'), '/v', present())).toThrow('The video of question q is not in /v (looked for /v/abc.mp4, /v/abc/abc.mp4).');
  });
});
