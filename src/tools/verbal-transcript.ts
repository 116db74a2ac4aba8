/**
 * Core of the `verbal_transcript` tool: audio of a window → Whisper (behind VAD) → segments with
 * absolute times, plus a text rendering for the model. Spans transcribed before come from the cache;
 * only the rest of the window is transcribed. Arguments are validated by the caller.
 */
import { cancelledError } from '../core/errors';
import type { SpeechTranscriber, TimeSpan, TranscriptSegment } from '../core/contracts';
import { formatTimestampFloor } from '../core/time';
import type { TranscriptCache } from './transcript-cache';

/** Audio source for a window: 16 kHz mono samples starting at `window.start`. */
export interface AudioProvider {
  audio(window: TimeSpan, options?: { signal?: AbortSignal }): Promise<Float32Array>;
}

export interface VerbalTranscriptDeps {
  audio: AudioProvider;
  transcriber: SpeechTranscriber;
  /** Transcripts of this video with this model. */
  cache: TranscriptCache;
}

export interface VerbalTranscriptOptions {
  signal?: AbortSignal;
  language?: string;
}

export interface VerbalTranscriptResult {
  window: TimeSpan;
  /** Segments overlapping the window, absolute times, in order. */
  segments: TranscriptSegment[];
  /** One line per segment, `[HH:MM:SS-HH:MM:SS] text`, or a line saying there was no speech. */
  text: string;
  /** Seconds of the window transcribed by this call (the rest was cached). */
  transcribedSeconds: number;
  /** Seconds of audio Whisper processed in this call (with the context around each span), after VAD removed non-speech. */
  whisperSeconds: number;
}

/**
 * Audio heard around each span to transcribe. A span's border can fall inside a sentence (a window
 * the agent chose, the next window of "Transcribe all"); Whisper hears past it and the sentence
 * belongs to the span it starts in, so it is transcribed whole, once. After the span: room for the
 * rest of a sentence; before it: enough that a sentence cut there is heard as the tail it is.
 */
const CONTEXT_BEFORE_SECONDS = 2;
const CONTEXT_AFTER_SECONDS = 8;

/** Whether a segment starts in `span` (a zero-length span owns nothing). */
function startsIn(segment: TranscriptSegment, span: TimeSpan): boolean {
  return segment.start >= span.start && segment.start < span.end;
}

export async function verbalTranscript(
  deps: VerbalTranscriptDeps,
  window: TimeSpan,
  options: VerbalTranscriptOptions = {},
): Promise<VerbalTranscriptResult> {
  const { signal, language } = options;
  let transcribedSeconds = 0;
  let whisperSeconds = 0;
  const generation = deps.cache.generation;
  for (const gap of deps.cache.uncovered(window)) {
    if (signal?.aborted) throw cancelledError();
    // The provider ends the audio at the end of the video.
    const heard = { start: Math.max(0, gap.start - CONTEXT_BEFORE_SECONDS), end: gap.end + CONTEXT_AFTER_SECONDS };
    const audio = await deps.audio.audio(heard, { signal });
    const result = await deps.transcriber.transcribe(audio, {
      offsetSeconds: heard.start,
      ...(language ? { language } : {}),
      ...(signal ? { signal } : {}),
    });
    // Text of a model the cache was cleared for since (another speech model) is not kept.
    deps.cache.add(gap, result.segments.filter((segment) => startsIn(segment, gap)), generation);
    transcribedSeconds += gap.end - gap.start;
    whisperSeconds += result.whisperSeconds;
  }
  const segments = deps.cache.lookup(window);
  return { window, segments, text: renderTranscript(segments, window), transcribedSeconds, whisperSeconds };
}

/** Transcript as the model reads it. */
export function renderTranscript(segments: readonly TranscriptSegment[], window: TimeSpan): string {
  if (segments.length === 0) {
    return `No speech between ${formatTimestampFloor(window.start)} and ${formatTimestampFloor(window.end)}.`;
  }
  // Start rounds down and end up, so the printed span always contains the speech.
  return segments
    .map((s) => `[${formatTimestampFloor(s.start)}-${formatTimestampFloor(Math.ceil(s.end))}] ${s.text}`)
    .join('\n');
}
