/**
 * The harness's JSONL files: read back on resume, appended one line per question. A run killed
 * mid-write leaves a partial last line; reading drops it (and cuts it from the file), so that
 * question simply runs again.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';

/** The complete lines of `path` (none when it does not exist), after cutting off a partial last line. */
export function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete.length !== text.length) truncateSync(path, Buffer.byteLength(complete));
  return complete
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function appendJsonl(path: string, value: unknown): void {
  appendFileSync(path, `${JSON.stringify(value)}\n`);
}
