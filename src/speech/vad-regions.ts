/**
 * Pure part of voice activity detection: turns per-frame speech probabilities (from Silero) into
 * padded, merged speech regions, packs those regions into one short buffer for Whisper, and maps
 * times in that buffer back to times in the original audio. No model here, so it is node-tested.
 */
import { mergeSpans } from './spans';
import type { TimeSpan, TranscriptSegment } from '../core/contracts';

export interface VadRegionOptions {
  /** A frame at or above this probability starts speech. */
  threshold: number;
  /** Speech ends only when a frame drops below this (hysteresis: brief dips inside words do not split them). */
  negativeThreshold: number;
  /** Detections shorter than this are dropped (clicks, breaths). */
  minSpeechSeconds: number;
  /** Added on both sides of each region so soft onsets and word tails are not clipped. */
  padSeconds: number;
  /** Padded regions closer than this are joined: one region gives Whisper more context. */
  mergeGapSeconds: number;
}

export const DEFAULT_VAD_REGION_OPTIONS: VadRegionOptions = {
  threshold: 0.5,
  negativeThreshold: 0.35,
  minSpeechSeconds: 0.25,
  padSeconds: 0.4,
  mergeGapSeconds: 1,
};

/** Speech regions (seconds from the start of the audio) from one probability per frame. */
export function speechRegions(
  probabilities: ArrayLike<number>,
  frameSeconds: number,
  durationSeconds: number,
  options: Partial<VadRegionOptions> = {},
): TimeSpan[] {
  const o = { ...DEFAULT_VAD_REGION_OPTIONS, ...options };
  const raw: TimeSpan[] = [];
  let startFrame = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] ?? 0;
    if (startFrame < 0) {
      if (p >= o.threshold) startFrame = i;
    } else if (p < o.negativeThreshold) {
      raw.push({ start: startFrame * frameSeconds, end: i * frameSeconds });
      startFrame = -1;
    }
  }
  if (startFrame >= 0) raw.push({ start: startFrame * frameSeconds, end: probabilities.length * frameSeconds });

  const padded = raw
    .filter((r) => r.end - r.start >= o.minSpeechSeconds)
    .map((r) => ({
      start: Math.max(0, r.start - o.padSeconds),
      end: Math.min(durationSeconds, r.end + o.padSeconds),
    }));
  return mergeSpans(padded, o.mergeGapSeconds);
}

/**
 * Regions no longer than `maxSeconds`: a longer one is cut where speech is least likely (the pause
 * between two sentences), at the quietest frame in the second half of the stretch that still fits,
 * the latest on ties. Whisper then never has to hear a window that ends inside a word, which is
 * what garbled sentences at its 30 s window borders.
 */
export function splitLongRegions(
  regions: readonly TimeSpan[],
  probabilities: ArrayLike<number>,
  frameSeconds: number,
  maxSeconds: number,
): TimeSpan[] {
  const out: TimeSpan[] = [];
  for (const region of regions) {
    let start = region.start;
    while (region.end - start > maxSeconds) {
      const first = Math.ceil((start + maxSeconds / 2) / frameSeconds);
      const last = Math.floor((start + maxSeconds) / frameSeconds) - 1;
      let quietest = last;
      for (let i = last; i >= first; i--) {
        if ((probabilities[i] ?? 0) < (probabilities[quietest] ?? 0)) quietest = i;
      }
      const cut = Math.min(start + maxSeconds, Math.max(start + frameSeconds, (quietest + 0.5) * frameSeconds));
      out.push({ start, end: cut });
      start = cut;
    }
    out.push({ start, end: region.end });
  }
  return out;
}

/** One region of the original audio and where it sits in the packed buffer. */
export interface CompactPiece {
  sourceStart: number;
  sourceEnd: number;
  compactStart: number;
}

export interface CompactLayout {
  pieces: CompactPiece[];
  /** Length of the packed buffer in seconds. */
  duration: number;
}

/**
 * Lays sorted, disjoint regions end to end with silence between them, so sparse speech costs a few
 * 30 s Whisper windows instead of one per region. The silence is the real gap, capped at
 * `maxJoinSeconds`: long enough for Whisper to end a segment inside it, and the packed audio is never
 * longer than the original. Positions are whole samples.
 */
export function compactLayout(
  regions: readonly TimeSpan[],
  totalSamples: number,
  sampleRate: number,
  maxJoinSeconds: number,
): CompactLayout {
  const maxJoin = Math.round(maxJoinSeconds * sampleRate);
  const pieces: CompactPiece[] = [];
  let cursor = 0;
  let previousEnd = 0;
  for (const region of regions) {
    const from = clampInt(Math.round(region.start * sampleRate), 0, totalSamples);
    const to = clampInt(Math.round(region.end * sampleRate), 0, totalSamples);
    if (to <= from) continue;
    if (pieces.length > 0) cursor += Math.min(maxJoin, Math.max(0, from - previousEnd));
    pieces.push({ sourceStart: from / sampleRate, sourceEnd: to / sampleRate, compactStart: cursor / sampleRate });
    cursor += to - from;
    previousEnd = to;
  }
  return { pieces, duration: cursor / sampleRate };
}

/**
 * The packed layout cut into Whisper windows of at most `windowSeconds`, only between pieces, each
 * timed from its own start. Pieces no longer than the window (`splitLongRegions`) keep every
 * sentence whole inside one window.
 */
export function windowLayouts(layout: CompactLayout, windowSeconds: number): CompactLayout[] {
  const windows: CompactLayout[] = [];
  let current: CompactPiece[] = [];
  const close = (): void => {
    const first = current[0];
    const last = current.at(-1);
    if (!first || !last) return;
    const end = last.compactStart + (last.sourceEnd - last.sourceStart);
    windows.push({
      pieces: current.map((p) => ({ ...p, compactStart: p.compactStart - first.compactStart })),
      duration: end - first.compactStart,
    });
    current = [];
  };
  for (const piece of layout.pieces) {
    const windowStart = current[0]?.compactStart ?? piece.compactStart;
    if (piece.compactStart + (piece.sourceEnd - piece.sourceStart) - windowStart > windowSeconds + 1e-9) close();
    current.push(piece);
  }
  close();
  return windows;
}

/** The packed buffer described by `layout` (silence between pieces). */
export function gatherSamples(audio: Float32Array, layout: CompactLayout, sampleRate: number): Float32Array {
  const out = new Float32Array(Math.round(layout.duration * sampleRate));
  for (const piece of layout.pieces) {
    const from = Math.round(piece.sourceStart * sampleRate);
    const to = Math.round(piece.sourceEnd * sampleRate);
    out.set(audio.subarray(from, to), Math.round(piece.compactStart * sampleRate));
  }
  return out;
}

/**
 * Time in the packed buffer → time in the original audio. A time inside the silence between two
 * pieces snaps forward to the next piece for a segment start, back to the previous one for an end.
 */
export function compactToSource(time: number, layout: CompactLayout, edge: 'start' | 'end'): number {
  let previous: CompactPiece | undefined;
  for (const piece of layout.pieces) {
    if (time < piece.compactStart) {
      return edge === 'start' || !previous ? piece.sourceStart : previous.sourceEnd;
    }
    const length = piece.sourceEnd - piece.sourceStart;
    if (time <= piece.compactStart + length) return piece.sourceStart + (time - piece.compactStart);
    previous = piece;
  }
  return previous ? previous.sourceEnd : time;
}

/** Segments timed in the packed buffer → absolute times (`offsetSeconds` is where the audio starts). */
export function mapSegments(
  segments: readonly TranscriptSegment[],
  layout: CompactLayout,
  offsetSeconds: number,
): TranscriptSegment[] {
  return segments.map((segment) => {
    const start = compactToSource(segment.start, layout, 'start');
    const end = Math.max(start, compactToSource(segment.end, layout, 'end'));
    return { start: offsetSeconds + start, end: offsetSeconds + end, text: segment.text };
  });
}

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
