/** Transcript segments as subtitle files (SRT and WebVTT), for the transcript panel's export. */
import type { TranscriptSegment } from '../core/contracts';

/** HH:MM:SS plus milliseconds, with the separator each format wants (',' SRT, '.' WebVTT). */
function cueTime(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/**
 * Cue text may not contain a blank line (it would end the cue), and WebVTT gives '-->', '<' and
 * '&' meaning; Whisper text is one line, but collapse whitespace anyway so no file comes out broken.
 */
function cueText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Players reject cues whose end is not after their start; Whisper sometimes gives zero-length ones. */
function cueEnd(segment: TranscriptSegment): number {
  return segment.end > segment.start ? segment.end : segment.start + 1;
}

function usable(segments: readonly TranscriptSegment[]): TranscriptSegment[] {
  return segments.filter((segment) => cueText(segment.text) !== '');
}

export function toSrt(segments: readonly TranscriptSegment[]): string {
  return usable(segments)
    .map((segment, i) => `${i + 1}\n${cueTime(segment.start, ',')} --> ${cueTime(cueEnd(segment), ',')}\n${cueText(segment.text)}\n`)
    .join('\n');
}

export function toWebVtt(segments: readonly TranscriptSegment[]): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cues = usable(segments).map(
    (segment) => `${cueTime(segment.start, '.')} --> ${cueTime(cueEnd(segment), '.')}\n${escape(cueText(segment.text))}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/** Segments whose text contains every word of the query, ignoring case; all of them for an empty query. */
export function searchSegments<S extends TranscriptSegment>(segments: readonly S[], query: string): S[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...segments];
  return segments.filter((segment) => {
    const text = segment.text.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}
