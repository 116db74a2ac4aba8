/**
 * Questions in SAGE-Bench's fields, read from JSONL. SAGE-Bench names the video by `video_id`
 * (the file is `<id>.mp4`), the reference by `gt_answer` and the kind by `ques_type` (`mcq` or
 * `open-ended`), with options written into the question; it has no id or duration. The release's
 * own result files use `path`/`video_path`, `full_answer` and `duration`, which are read too.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { AppError } from '../src/core/errors';

export interface EvalQuestion {
  /** The line's `id`, else a hash of question and video (the release hashes the same pair). */
  id: string;
  /** As the line names it: a `video_id` or a path. */
  video: string;
  question: string;
  /** The reference answer (for a multiple-choice question, the right option's text or letter). */
  reference: string;
  /** `mcq`, `open_ended`, or whatever else the line says, lower case with underscores. */
  type: string;
  difficulty: string | null;
  modality: string | null;
  /** Seconds, when the line gives it; otherwise measured from the file. */
  duration: number | null;
}

function text(record: Record<string, unknown>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

function parseLine(line: string, where: string): EvalQuestion {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    throw new AppError('invalid-argument', `${where} is not JSON.`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new AppError('invalid-argument', `${where} is not a JSON object.`);
  }
  const fields = record as Record<string, unknown>;
  const video = text(fields, ['video_id', 'video_path', 'path', 'video']);
  const question = text(fields, ['question']);
  const reference = text(fields, ['gt_answer', 'full_answer', 'reference', 'answer']);
  const missing = [!video && 'video_id (or video_path)', !question && 'question', !reference && 'gt_answer'].filter(Boolean);
  if (!video || !question || !reference) throw new AppError('invalid-argument', `${where} has no ${missing.join(', ')}.`);
  const duration = Number(fields.duration ?? fields.video_duration);
  return {
    id: text(fields, ['id']) ?? createHash('md5').update(`${question}|${video}`).digest('hex'),
    video,
    question,
    reference,
    type: (text(fields, ['ques_type', 'question_type']) ?? 'open_ended').toLowerCase().replace(/[\s-]+/g, '_'),
    difficulty: text(fields, ['difficulty']),
    modality: text(fields, ['modality']),
    duration: Number.isFinite(duration) && duration > 0 ? duration : null,
  };
}

/** Every question of a JSONL text, in order; blank lines are skipped, a repeated id is an error. */
export function parseQuestions(jsonl: string, source = 'the questions file'): EvalQuestion[] {
  const questions: EvalQuestion[] = [];
  const seen = new Set<string>();
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const question = parseLine(line, `Line ${index + 1} of ${source}`);
    if (seen.has(question.id)) throw new AppError('invalid-argument', `Line ${index + 1} of ${source} repeats the question id ${question.id}.`);
    seen.add(question.id);
    questions.push(question);
  });
  return questions;
}

/**
 * The video file of a question under `dir`: a path as given (relative to `dir`), else its file
 * name in `dir`; an id as `<id>.mp4`, or `<id>/<id>.mp4` as the release lays out its downloads.
 */
export function videoFile(question: EvalQuestion, dir: string, exists: (path: string) => boolean = existsSync): string {
  const name = question.video;
  const candidates = /[/\\]|\.\w{2,4}$/.test(name)
    ? [isAbsolute(name) ? name : join(dir, name), join(dir, basename(name))]
    : [join(dir, `${name}.mp4`), join(dir, name, `${name}.mp4`)];
  const found = candidates.find(exists);
  if (!found) throw new AppError('invalid-argument', `The video of question ${question.id} is not in ${dir} (looked for ${candidates.join(', ')}).`);
  return found;
}
