/** Times as people read them in the UI (the model's HH:MM:SS form lives in src/time.ts; sizes in src/units.ts). */
import { formatBytes } from '../core/units';

/** Seconds as MM:SS, or H:MM:SS from an hour on: "02:10", "1:02:10". */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${m}:${s}` : `${m}:${s}`;
}

/** A span as "02:10–04:40"; a zero-length span as one time. */
export function formatSpan(start: number, end: number): string {
  const from = formatClock(start);
  const to = formatClock(end);
  return from === to ? from : `${from}–${to}`;
}

/** One file of a model download: "onnx/model.onnx: 12 MB of 100 MB". */
export function formatFileProgress(file: { file: string; loaded: number; total: number }): string {
  return `${file.file}: ${formatBytes(file.loaded)} of ${formatBytes(file.total)}`;
}

