/**
 * `tsx bench/make-long-files.ts [folder]`: the long files of the scale bench (issue 22), made once
 * and kept in `folder` (default: the OS temp folder's sage-bench), never committed:
 * - a 6-minute 720p H.264/AAC segment with espeak-ng speech throughout;
 * - a 3-hour file: that segment 30 times over, joined by stream copy (no re-encoding);
 * - a file over 4 GiB: a 10-second segment of lossless noise (about 75 MB) 60 times over, by
 *   stream copy, its index (moov) left at the end as cameras write it, so it lies past 4 GiB too.
 * Frugal on CPU: 2 frames a second (5 for the noise), ultrafast preset, one encode per segment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { random, sentence } from './make-long-speech.ts';

/** Bump when a recipe changes, so a stale cached file is not measured. */
const VERSION = 1;
export const DEFAULT_LONG_MEDIA_DIR = join(tmpdir(), 'sage-bench');

const SPEECH_SEGMENT_SECONDS = 360;
const THREE_HOURS = 3 * 3600;
export const NOISE_SEGMENT_SECONDS = 10;
export const NOISE_REPEATS = 60;
/** Bytes the >4 GiB file needs while it is made (segment, file, margin). */
export const OVER_4GIB_DISK_BYTES = 5.5 * 2 ** 30;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error', ...args], { stdio: 'inherit' });
}

/** Runs `make` into a partial file and renames it, so an interrupted run leaves nothing that looks finished. */
function once(path: string, make: (partial: string) => void): string {
  if (existsSync(path)) return path;
  mkdirSync(resolve(path, '..'), { recursive: true });
  const partial = `${path}.partial.mp4`;
  make(partial);
  renameSync(partial, path);
  return path;
}

/** Joins `times` copies of `segment` without re-encoding (ffmpeg's concat demuxer). */
function repeat(segment: string, times: number, out: string, faststart: boolean): void {
  const list = `${out}.txt`;
  writeFileSync(list, `${Array.from({ length: times }, () => `file '${segment.replaceAll("'", "'\\''")}'`).join('\n')}\n`);
  try {
    ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', ...(faststart ? ['-movflags', '+faststart'] : []), '-f', 'mp4', out]);
  } finally {
    rmSync(list, { force: true });
  }
}

/** About 7 minutes of plain English sentences by espeak-ng, as one WAV (trimmed to the segment later). */
function speechWav(dir: string): string {
  const wav = join(dir, `speech-segment-v${VERSION}.wav`);
  if (existsSync(wav)) return wav;
  const next = random(20_261_207);
  const text = Array.from({ length: 130 }, () => sentence(next)).join('. ');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', wav, `${text}.`]);
  return wav;
}

/** The 6-minute 720p file with speech throughout (also the 3-hour file's segment). */
export function makeSixMinuteFile(dir = DEFAULT_LONG_MEDIA_DIR): string {
  return once(join(dir, `speech-6min-720p-v${VERSION}.mp4`), (partial) => {
    const wav = speechWav(dir);
    ffmpeg([
      '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=2:duration=${SPEECH_SEGMENT_SECONDS}`,
      '-i', wav,
      '-map', '0:v', '-map', '1:a', '-af', 'apad', '-t', String(SPEECH_SEGMENT_SECONDS),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30', '-pix_fmt', 'yuv420p', '-g', '20',
      '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '2',
      '-movflags', '+faststart', '-f', 'mp4', partial,
    ]);
  });
}

/** Three hours of the 6-minute file, by stream copy. */
export function makeThreeHourFile(dir = DEFAULT_LONG_MEDIA_DIR): string {
  const segment = makeSixMinuteFile(dir);
  return once(join(dir, `speech-3h-720p-v${VERSION}.mp4`), (partial) => repeat(segment, THREE_HOURS / SPEECH_SEGMENT_SECONDS, partial, true));
}

/** Free bytes where the files go (the folder's nearest existing parent). */
export function freeBytes(dir: string): number {
  let at = dir;
  while (!existsSync(at)) at = resolve(at, '..');
  const stats = statfsSync(at);
  return stats.bavail * stats.bsize;
}

export function over4GiBPath(dir: string): string {
  return join(dir, `over-4gib-720p-v${VERSION}.mp4`);
}

/** Over 4 GiB (about 4.5 GiB, 10 minutes) of 720p lossless noise with speech, by stream copy. */
export function makeOver4GiBFile(dir = DEFAULT_LONG_MEDIA_DIR): string {
  const path = over4GiBPath(dir);
  if (!existsSync(path) && freeBytes(dir) < OVER_4GIB_DISK_BYTES) {
    throw new Error(`making the >4 GiB file needs ${(OVER_4GIB_DISK_BYTES / 2 ** 30).toFixed(1)} GiB free in ${dir}`);
  }
  return once(path, (partial) => {
    const segment = once(join(dir, `noise-segment-v${VERSION}.mp4`), (segmentPartial) => {
      ffmpeg([
        '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=5:duration=${NOISE_SEGMENT_SECONDS},noise=alls=40:allf=t`,
        '-i', speechWav(dir),
        '-map', '0:v', '-map', '1:a', '-t', String(NOISE_SEGMENT_SECONDS),
        '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', '-g', '25',
        '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '2',
        '-f', 'mp4', segmentPartial,
      ]);
    });
    repeat(segment, NOISE_REPEATS, partial, false);
    rmSync(segment);
    if (statSync(partial).size <= 2 ** 32) throw new Error(`${partial} came out under 4 GiB`);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = resolve(process.argv[2] ?? DEFAULT_LONG_MEDIA_DIR);
  for (const make of [makeSixMinuteFile, makeThreeHourFile, makeOver4GiBFile]) {
    const start = Date.now();
    const path = make(dir);
    console.log(`${path}: ${(statSync(path).size / 2 ** 30).toFixed(2)} GiB (${((Date.now() - start) / 1000).toFixed(0)} s)`);
  }
}
