/**
 * An answer from the speech alone, for when no vision model can be used (not stored and offline, a
 * failed or refused download, too little memory, or the person chose "speech only"). It listens to
 * the video window by window from the start, searching what it has heard after each window, and
 * stops early once a passage holds most of the question's terms. The answer says what it rests on
 * and which part of the speech was searched. A text model, when one can run, writes the answer
 * from the passages with [MM:SS] citations; without one the answer is the passages themselves,
 * never a sentence nobody said, and a multiple-choice question gets no pick.
 */
import type { TextGenerator, TimeSpan, TranscriptSegment } from '../core/contracts';
import { cancelledError, isCancelled } from '../core/errors';
import { formatClipTime, formatTimestampFloor } from '../core/time';
import { mergeSpans, totalLength } from '../speech/spans';
import { searchTranscript, type Passage } from '../tools/transcript-search';
import { renderTranscript, verbalTranscript, type VerbalTranscriptDeps } from '../tools/verbal-transcript';
import type { AgentEvent, AnswerEvent, EvidenceItem } from './events';

/** Each listening step covers this much of the video, so progress shows and an early match ends it. */
export const LISTEN_WINDOW_SECONDS = 60;
/** A passage holding this share of the question's terms ends the listening early. */
export const ENOUGH_COVERAGE = 0.6;
/** Passages the answer rests on. */
const PASSAGES = 3;

export interface SpeechAnswerInput {
  question: string;
  /** The name the tool steps use as `video_path`. */
  videoName: string;
  /** Seconds of the video that can be read. */
  duration: number;
  /** Why the frames are not looked at, as a clause after "because". */
  reason: string;
  /** Whisper over the video's audio, and the video's transcript cache. */
  speech: VerbalTranscriptDeps;
  /** A text model that writes the answer from the passages, with its label; absent: the passages are the answer. */
  writer?: { label: string; model: TextGenerator } | undefined;
  signal?: AbortSignal;
  windowSeconds?: number;
}

export async function* answerFromSpeech(input: SpeechAnswerInput): AsyncGenerator<AgentEvent, void, undefined> {
  const { question, videoName, duration, speech, signal } = input;
  const windowSeconds = input.windowSeconds ?? LISTEN_WINDOW_SECONDS;
  const evidence: EvidenceItem[] = [];
  let step = 0;
  try {
    let found = await searchTranscript(heard(speech), question, PASSAGES);
    for (let start = 0; start < duration && !enough(found.passages); start += windowSeconds) {
      const window = { start, end: Math.min(duration, start + windowSeconds) };
      if (speech.cache.uncovered(window).length === 0) continue;
      step += 1;
      const label = `verbal_transcript_#${step}`;
      const args = { video_path: videoName, timestamp_start: formatTimestampFloor(window.start), timestamp_end: formatTimestampFloor(Math.ceil(window.end)) };
      yield { type: 'tool-called', step, name: 'verbal_transcript', label, arguments: args, repairs: [] };
      const result = await verbalTranscript(speech, window, signal ? { signal } : {});
      const output = renderTranscript(result.segments, window);
      yield { type: 'tool-result', step, name: 'verbal_transcript', label, output, isError: false, frames: [], spans: [window] };
      evidence.push({ label, name: 'verbal_transcript', arguments: args, output, frames: [], spans: [window] });
      found = await searchTranscript(heard(speech), question, PASSAGES);
    }
    if (signal?.aborted) throw cancelledError();
    const searched = mergeSpans(speech.cache.coveredSpans().map((span) => ({ start: span.start, end: Math.min(span.end, duration) })));
    const complete = duration - totalLength(searched) < 1;
    const written = input.writer && found.passages.length > 0 ? await write(input.writer.model, question, found.passages, signal) : null;
    const writer = written && input.writer ? input.writer.label : null;
    const answer = [
      `From the speech only: the frames were not looked at because ${input.reason}.`,
      complete ? null : `Searched the speech of ${searchedText(searched)} of ${formatClipTime(duration)}.`,
      body(question, found.passages, written),
    ]
      .filter((line) => line !== null)
      .join('\n');
    const spans = found.passages.map(({ start, end }) => ({ start, end }));
    const event: AnswerEvent = {
      type: 'answer',
      answer,
      singleTurn: false,
      steps: step,
      reasoning: writer ? `${writer} wrote this from the passages of the speech that best match the question.` : 'The passages of the speech that best match the question.',
      evidence,
      spans,
      speechOnly: { reason: input.reason, searched, complete, writer },
    };
    yield event;
  } catch (error) {
    if (signal?.aborted || isCancelled(error)) {
      yield { type: 'error', error: cancelledError() };
      return;
    }
    throw error;
  }
}

function heard(speech: VerbalTranscriptDeps): TranscriptSegment[] {
  return speech.cache.lookup({ start: 0, end: Number.MAX_SAFE_INTEGER });
}

function enough(passages: readonly Passage[]): boolean {
  return (passages[0]?.coverage ?? 0) >= ENOUGH_COVERAGE;
}

function searchedText(searched: readonly TimeSpan[]): string {
  if (searched.length === 0) return 'no part';
  return searched.map((span) => `${formatClipTime(span.start)}–${formatClipTime(span.end)}`).join(', ');
}

/** Options written as "A. …", "(B) …" or "C) …" at the start of a line, two or more. */
export function isMultipleChoice(question: string): boolean {
  return (question.match(/(^|\n)\s*\(?[A-Ea-e][.)]\s+\S/g) ?? []).length >= 2;
}

function cite(passage: Passage): string {
  return `[${formatClipTime(passage.start)}]`;
}

function body(question: string, passages: readonly Passage[], written: string | null): string {
  if (passages.length === 0) return 'Nothing said in the part of the speech searched matches the question.';
  const list = passages.map((passage) => `${cite(passage)} “${passage.text}”`).join('\n');
  if (written !== null) {
    // The model's citations are kept only when they name a passage it was given; otherwise the passages follow.
    const cited = passages.some((passage) => written.includes(cite(passage)));
    return cited ? written : `${written}\nThe passages it read:\n${list}`;
  }
  const lead = isMultipleChoice(question)
    ? 'Picking an option needs a text model, and none can run here. The passages of the speech that best match the question:'
    : 'The passages of the speech that best match the question:';
  return `${lead}\n${list}`;
}

const SYSTEM = [
  'You answer a question about a video from passages of its speech alone; nobody has seen its pictures.',
  'Use only what the passages say. Cite each passage you use by its time in brackets exactly as given, like [01:05].',
  'If the passages do not answer the question, say that the speech does not say.',
].join(' ');

/** The text model's answer from the passages, or null when it wrote nothing. */
async function write(model: TextGenerator, question: string, passages: readonly Passage[], signal: AbortSignal | undefined): Promise<string | null> {
  const choice = isMultipleChoice(question) ? ' If it has options, give the letter of the option the passages support first.' : '';
  const prompt = [
    'Passages of the speech:',
    ...passages.map((passage) => `${cite(passage)} ${passage.text}`),
    '',
    `Question: ${question}`,
    `Answer in one or two sentences and cite the passages you use.${choice}`,
  ].join('\n');
  const reply = await model.generate({ prompt, system: SYSTEM, maxNewTokens: 160, ...(signal ? { signal } : {}) });
  // Qwen3 may think aloud first; only the answer after its thinking is kept.
  const text = reply.replace(/<think>[\s\S]*?(<\/think>|$)/g, '').trim();
  return text === '' ? null : text;
}
