/**
 * Extracted frames named as the SAGE release names them, because SAGE-MM echoes those names back in
 * `perform_reasoning.media_paths`: `<video>_frames_<start>_<end>/<video>_frame_<n>_<time>.jpg`, with
 * `<n>` the frame's index in the source video and times as MM:SS (HH:MM:SS from the first hour on).
 */
import { parseTimestamp } from '../core/timestamps';
import { formatClipTime as clipTime } from '../core/time';

/** The video's name without folders or extension, as the release's file names start. */
export function videoStem(videoPath: string): string {
  const base = videoPath.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]+$/, '');
  return stem === '' ? 'video' : stem;
}

export interface FrameNameParts {
  videoPath: string;
  windowStart: number;
  windowEnd: number;
  /** Seconds from the start of the video. */
  timestamp: number;
  /** Frames per second of the source, for the frame index. */
  frameRate: number;
}

export function releaseFrameName(parts: FrameNameParts): string {
  const stem = videoStem(parts.videoPath);
  const index = Math.round(parts.timestamp * (parts.frameRate > 0 ? parts.frameRate : 1));
  return `${stem}_frames_${clipTime(parts.windowStart)}_${clipTime(parts.windowEnd)}/${stem}_frame_${index}_${clipTime(parts.timestamp)}.jpg`;
}

/** The time a frame-like name ends with (`..._12:34.jpg`, `..._01:02:03.png`), or null. */
export function timeInFrameName(name: string): number | null {
  const clock = /_(\d+(?::\d+){1,2})(?:\.\d+)?\.(?:jpe?g|png|webp)$/i.exec(name.trim())?.[1];
  if (clock === undefined) return null;
  const parsed = parseTimestamp(clock);
  return parsed.ok ? parsed.seconds : null;
}
