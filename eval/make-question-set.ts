/**
 * `npm run eval:set [-- --out DIR]`: renders the question set of question-set/spec.ts into DIR
 * (default `eval-set/`): one MP4 per video (320×180 at 1 fps, H.264 with a key frame every 10 s,
 * 16 kHz mono AAC) and `questions.jsonl`. Each scene is a solid colour with its counter as text
 * (ffmpeg drawtext) and as the binary strip of tests/fixtures/frame-code.ts; the speech is
 * espeak-ng at the spec's times, silence between (a noise bed would make the AAC encode several
 * times slower). The videos total about 1.7 hours and a few MB, so they are made on demand rather
 * than committed; a run whose spec and script are unchanged reuses what is in DIR. Needs ffmpeg (with libfreetype) and espeak-ng.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { drawCodedFrameRgb } from '../tests/fixtures/frame-code';
import { SCENE_COLOURS, VIDEOS, questionLines, type SetVideo } from './question-set/spec';

const WIDTH = 320;
const HEIGHT = 180;
const FPS = 1;
const SAMPLE_RATE = 16_000;
const STAMP = 'set.stamp';
export const QUESTIONS_FILE = 'questions.jsonl';

/** What the set's bytes depend on: a change to the spec or to this script makes it again. */
function stamp(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(JSON.stringify(VIDEOS));
  return hash.digest('hex');
}

function fontFile(): string {
  let file = '';
  try {
    file = execFileSync('fc-match', ['-f', '%{file}', 'DejaVu Sans:bold'], { encoding: 'utf8' }).trim();
  } catch {
    // No fontconfig: said below.
  }
  if (!file) throw new Error('No font for the on-screen counter: install fontconfig and fonts-dejavu-core.');
  return file;
}

/** drawtext's text and enable expressions, quoted for a filter graph. */
function counterText(video: SetVideo, font: string): string {
  return video.scenes
    .map(
      (scene) =>
        `drawtext=fontfile='${font}':text='No. ${scene.counter}':x=12:y=10:fontsize=34:fontcolor=white:` +
        `borderw=3:bordercolor=black:enable='gte(t,${scene.start})*lt(t,${scene.end})'`,
    )
    .join(',');
}

/** Writes every frame of the video to `sink` as RGB24, one prepared buffer per scene. */
async function writeFrames(video: SetVideo, sink: NodeJS.WritableStream): Promise<void> {
  const pictures = video.scenes.map((scene) => {
    const buffer = new Uint8Array(WIDTH * HEIGHT * 3);
    drawCodedFrameRgb(buffer, WIDTH, HEIGHT, SCENE_COLOURS[scene.colour], scene.counter);
    return { scene, buffer };
  });
  const frames = Math.round(video.duration * FPS);
  for (let n = 0; n < frames; n++) {
    const t = n / FPS;
    const picture = pictures.find(({ scene }) => t >= scene.start && t < scene.end) ?? pictures[pictures.length - 1]!;
    if (!sink.write(picture.buffer)) await new Promise<void>((done) => sink.once('drain', () => done()));
  }
  sink.end();
}

async function renderVideo(video: SetVideo, file: string, work: string, font: string): Promise<void> {
  const speech = video.speech.map((utterance, i) => {
    const wav = join(work, `${video.id}-${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, utterance.text]);
    return { wav, delayMs: Math.round(utterance.at * 1000) };
  });
  const delayed = speech.map((s, i) => `[${i + 2}:a]aresample=${SAMPLE_RATE},adelay=delays=${s.delayMs}:all=1[s${i}]`);
  const mix = `[1:a]${speech.map((_, i) => `[s${i}]`).join('')}amix=inputs=${speech.length + 1}:normalize=0:duration=first[a]`;
  const graph = [`[0:v]${counterText(video, font)}[v]`, ...delayed, mix].join(';');
  const args = [
    '-y', '-hide_banner', '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', String(FPS), '-i', 'pipe:0',
    '-f', 'lavfi', '-t', String(video.duration), '-i', `anullsrc=r=${SAMPLE_RATE}:cl=mono`,
    ...speech.flatMap((s) => ['-i', s.wav]),
    '-filter_complex', graph, '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-pix_fmt', 'yuv420p',
    '-g', String(10 * FPS), '-keyint_min', String(10 * FPS), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-ar', String(SAMPLE_RATE),
    '-t', String(video.duration), '-movflags', '+faststart', file,
  ];
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((done, fail) => {
    ffmpeg.once('error', fail);
    ffmpeg.once('close', done);
  });
  await writeFrames(video, ffmpeg.stdin);
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg exited with ${code} while making ${file}`);
}

/** Makes the set in `dir` unless an unchanged one is there; resolves with the questions file. */
export async function makeQuestionSet(dir: string): Promise<string> {
  const questions = join(dir, QUESTIONS_FILE);
  const expected = stamp();
  const stampFile = join(dir, STAMP);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === expected && existsSync(questions)) return questions;
  mkdirSync(dir, { recursive: true });
  rmSync(stampFile, { force: true });
  const work = mkdtempSync(join(tmpdir(), 'sage-eval-set-'));
  try {
    const font = fontFile();
    for (const video of VIDEOS) await renderVideo(video, join(dir, `${video.id}.mp4`), work, font);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(questions, questionLines().map((line) => JSON.stringify(line)).join('\n') + '\n');
  writeFileSync(stampFile, expected);
  return questions;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'eval-set' } } });
  const file = await makeQuestionSet(resolve(values.out));
  console.log(`wrote ${file} and its videos`);
}
