/**
 * Builds, once, the long speech file of the transcription bench: an hour of espeak-ng sentences at
 * known times, separated by silences and by music-like passages (chords and a melody), so VAD has
 * speech to find and music to turn away, under a tiny test-pattern video. The reference (every
 * sentence with its start and end, and where the music is) is written next to it as JSON. Both go
 * to the OS temp folder; a seeded generator makes the same script every time.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RATE = 16_000;
const SECONDS = 3600;
/** Bump when the script changes, so a stale cached file is not measured. */
const VERSION = 1;
const DIR = join(tmpdir(), 'sage-bench');
export const LONG_SPEECH_FILE = join(DIR, `long-speech-v${VERSION}.mp4`);
export const LONG_SPEECH_REFERENCE = join(DIR, `long-speech-v${VERSION}.json`);

export interface ReferenceSentence {
  text: string;
  start: number;
  end: number;
}

export interface LongSpeechReference {
  durationSeconds: number;
  sentences: ReferenceSentence[];
  music: Array<{ start: number; end: number }>;
}

/** Small deterministic generator (xorshift32), so every build writes the same script. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

// Plain words Whisper spells one way: no names, numbers or contractions, so the error rate
// measures hearing, not spelling conventions.
const WORDS = {
  adjective: ['quiet', 'old', 'small', 'bright', 'heavy', 'green', 'cold', 'busy', 'empty', 'wooden', 'tall', 'warm', 'narrow', 'gentle', 'broken', 'yellow'],
  noun: ['river', 'garden', 'teacher', 'window', 'kitchen', 'market', 'bicycle', 'mountain', 'letter', 'doctor', 'forest', 'bridge', 'train', 'village', 'table', 'farmer', 'library', 'basket', 'island', 'painter'],
  verbPast: ['carried', 'painted', 'opened', 'cleaned', 'visited', 'followed', 'watched', 'repaired', 'described', 'noticed', 'collected', 'crossed'],
  place: ['near the station', 'behind the school', 'across the valley', 'under the bridge', 'beside the lake', 'at the end of the street', 'in the middle of the field', 'on the edge of town'],
  time: ['every morning', 'late at night', 'before the storm', 'after dinner', 'during the winter', 'on a sunny afternoon', 'at the weekend', 'in the spring'],
  verbPresent: ['likes', 'needs', 'remembers', 'finds', 'keeps', 'brings', 'wants', 'shows'],
};

export function sentence(next: () => number): string {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const a = (word: string) => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
  const { adjective, noun, verbPast, place, time, verbPresent } = WORDS;
  const templates = [
    () => `the ${pick(adjective)} ${pick(noun)} ${pick(verbPast)} the ${pick(noun)} ${pick(place)}`,
    () => `${a(pick(adjective))} ${pick(noun)} ${pick(verbPresent)} the ${pick(adjective)} ${pick(noun)} ${pick(time)}`,
    () => `${pick(time)} the ${pick(noun)} ${pick(verbPast)} ${a(pick(adjective))} ${pick(noun)}`,
    () => `we ${pick(verbPast)} the ${pick(noun)} ${pick(place)} ${pick(time)}`,
  ];
  return pick(templates)();
}

/** espeak-ng's voice as 16 kHz mono samples, its own leading and trailing silence trimmed. */
function speak(text: string, voice: string, wordsPerMinute: number): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '--stdout', text], { maxBuffer: 64 << 20 });
  const raw = execFileSync(
    'sox',
    ['-R', '-G', '-t', 'wav', '-', '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-', 'silence', '1', '0.01', '1%', 'reverse', 'silence', '1', '0.01', '1%', 'reverse'],
    { input: wav, maxBuffer: 64 << 20 },
  );
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
}

/** Equal-tempered pitch of a MIDI note, in Hz. */
const pitch = (note: number) => 440 * 2 ** ((note - 69) / 12);

/**
 * A passage of music-like sound: a chord progression with a plucked envelope and a melody note on
 * each beat, harmonics included, so it is tonal and rhythmic like music rather than a steady beep.
 */
function music(seconds: number, next: () => number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  const progressions = [[48, 57, 53, 55], [50, 55, 57, 52], [53, 48, 50, 55]];
  const roots = progressions[Math.floor(next() * progressions.length)]!;
  const beat = 0.35 + next() * 0.25;
  const scale = [0, 2, 4, 7, 9, 12];
  const pluck = (at: number, note: number, length: number, gain: number) => {
    const from = Math.round(at * RATE);
    const to = Math.min(out.length, from + Math.round(length * RATE));
    const f = pitch(note);
    for (let i = from; i < to; i++) {
      const t = (i - from) / RATE;
      const envelope = Math.min(1, t / 0.01) * Math.exp(-t * 3);
      const phase = 2 * Math.PI * f * t;
      out[i]! += gain * envelope * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
    }
  };
  for (let b = 0; b * beat < seconds; b++) {
    const at = b * beat;
    const root = roots[Math.floor(b / 4) % roots.length]!;
    if (b % 4 === 0) for (const step of [0, 4, 7]) pluck(at, root + step, beat * 4, 0.06);
    pluck(at, root + 12 + scale[Math.floor(next() * scale.length)]!, beat * 1.5, 0.08);
  }
  return out;
}

/**
 * Writes the file and its reference unless they exist. Takes a minute or two once: about 700
 * espeak-ng calls, then one ffmpeg encode.
 */
export function makeLongSpeechFile(): { video: string; reference: string } {
  if (existsSync(LONG_SPEECH_FILE) && existsSync(LONG_SPEECH_REFERENCE)) return { video: LONG_SPEECH_FILE, reference: LONG_SPEECH_REFERENCE };
  mkdirSync(DIR, { recursive: true });
  console.error(`making ${LONG_SPEECH_FILE} (1 h of espeak-ng speech, silences and music; 160x90 video); this takes a few minutes once`);
  const next = random(20_260_912);
  const pcmPath = join(DIR, `long-speech-v${VERSION}.partial.s16`);
  const pcm = openSync(pcmPath, 'w');
  const reference: LongSpeechReference = { durationSeconds: SECONDS, sentences: [], music: [] };
  let written = 0;
  /** Appends samples over a faint noise floor, so silence is not digital zero. */
  const append = (samples: ArrayLike<number>, scale: number) => {
    const chunk = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const value = (samples[i] ?? 0) * scale + (next() - 0.5) * 130;
      chunk[i] = Math.max(-32768, Math.min(32767, Math.round(value)));
    }
    writeSync(pcm, chunk);
    written += samples.length;
  };
  const silence = (seconds: number) => append(new Float32Array(Math.round(seconds * RATE)), 1);
  const voices = ['en-us', 'en-gb', 'en-us+f3', 'en-gb-x-rp'];
  try {
    silence(1.5);
    while (written / RATE < SECONDS - 20) {
      // One to three sentences by one voice, short pauses between them.
      const voice = voices[Math.floor(next() * voices.length)]!;
      const wordsPerMinute = 140 + Math.floor(next() * 30);
      const count = 1 + Math.floor(next() * 3);
      for (let s = 0; s < count; s++) {
        const text = sentence(next);
        const start = written / RATE;
        append(speak(text, voice, wordsPerMinute), 1);
        reference.sentences.push({ text, start: round(start), end: round(written / RATE) });
        silence(0.4 + next() * 0.5);
      }
      if (next() < 0.45) {
        const seconds = 8 + next() * 17;
        reference.music.push({ start: round(written / RATE), end: round(written / RATE + seconds) });
        append(music(seconds, next), 32767);
        silence(0.5 + next() * 1.5);
      } else {
        silence(1.5 + next() * 3.5);
      }
    }
    silence(SECONDS - written / RATE);
  } finally {
    closeSync(pcm);
  }
  const partial = `${LONG_SPEECH_FILE}.partial.mp4`;
  execFileSync('ffmpeg', [
    '-y', '-hide_banner', '-loglevel', 'error',
    '-f', 's16le', '-ar', String(RATE), '-ac', '1', '-i', pcmPath,
    '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=5:duration=${SECONDS}`,
    '-map', '1:v', '-map', '0:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '40', '-pix_fmt', 'yuv420p', '-g', '50',
    '-c:a', 'aac', '-b:a', '64k',
    '-movflags', '+faststart', '-shortest', partial,
  ], { stdio: 'inherit' });
  rmSync(pcmPath);
  writeFileSync(LONG_SPEECH_REFERENCE, `${JSON.stringify(reference, null, 1)}\n`);
  renameSync(partial, LONG_SPEECH_FILE);
  return { video: LONG_SPEECH_FILE, reference: LONG_SPEECH_REFERENCE };
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
