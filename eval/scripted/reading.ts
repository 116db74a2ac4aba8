/**
 * What the scripted orchestrators can read, as a person would with no model: the question and
 * video line of the agent's prompt, the transcript lines a tool returned, and the skim frames'
 * pixels (a colour's name from its hue, the counter from the frame's binary strip). They
 * understand the question set's four kinds of question and nothing else.
 */
import { parseTimestamp } from '../../src/core/timestamps';
import type { FrameRef } from '../../src/core/contracts';
import type { FrameImage } from '../../src/tools/frame-store';
import { formatTimestamp } from '../../src/core/time';
import { readFrameIndex } from '../../tests/fixtures/frame-code';

export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** RGBA pixels of a frame image; the page draws it on a canvas, Node tests make them directly. */
export type ReadPixels = (image: FrameImage) => Promise<Pixels>;

/** A skim frame as Stage 1 receives it: a reference that also carries its image. */
export type SkimFrame = FrameRef & { image?: FrameImage };

/** The question as the prompt states it (it may span lines, as options do). */
export function promptQuestion(prompt: string): string | null {
  return /(?:^|\n)Question: ([\s\S]*?)\n\n(?:First decide|The last step)/.exec(prompt)?.[1] ?? null;
}

/** The metadata line: the video's name and duration in seconds. */
export function promptVideo(prompt: string): { name: string; duration: number } | null {
  const match = /Video: ("(?:[^"\\]|\\.)*"), duration ([\d:]+)\./.exec(prompt);
  if (!match) return null;
  const duration = parseTimestamp(match[2]);
  return duration.ok ? { name: JSON.parse(match[1]!) as string, duration: duration.seconds } : null;
}

export interface HeardLine {
  start: number;
  text: string;
}

/** The `[HH:MM:SS-HH:MM:SS] text` lines of the tool result labelled `label` in a Stage-2 prompt. */
export function transcriptLines(prompt: string, label: string): HeardLine[] | null {
  const at = prompt.indexOf(`[${label}]`);
  if (at === -1) return null;
  const body = prompt.slice(prompt.indexOf('\n', at) + 1).split('\n\n')[0] ?? '';
  return body.split('\n').flatMap((line) => {
    const match = /^\[(\d\d:\d\d:\d\d)-\d\d:\d\d:\d\d\] (.*)$/.exec(line);
    const start = match ? parseTimestamp(match[1]) : null;
    return match && start?.ok ? [{ start: start.seconds, text: match[2]!.trim() }] : [];
  });
}

export type Intent =
  | { kind: 'colour-at'; at: number }
  | { kind: 'number-at'; at: number }
  | { kind: 'speech-at'; at: number }
  | { kind: 'speech-during'; colour: string }
  | { kind: 'unknown' };

const TIME = '(\\d\\d:\\d\\d:\\d\\d)';

export function intentOf(question: string): Intent {
  const at = (pattern: string) => {
    const match = new RegExp(pattern).exec(question);
    const time = match ? parseTimestamp(match[1]) : null;
    return time?.ok ? time.seconds : null;
  };
  const colourAt = at(`^What colour is the background at ${TIME}\\?`);
  if (colourAt !== null) return { kind: 'colour-at', at: colourAt };
  const numberAt = at(`^What number is shown on screen at ${TIME}\\?`);
  if (numberAt !== null) return { kind: 'number-at', at: numberAt };
  const speechAt = at(`^Which \\w+ does the speaker name at about ${TIME}\\?`);
  if (speechAt !== null) return { kind: 'speech-at', at: speechAt };
  const during = /^Which \w+ does the speaker name while the background is (\w+)\?/.exec(question);
  if (during) return { kind: 'speech-during', colour: during[1]! };
  return { kind: 'unknown' };
}

/** A colour's everyday name, from hue, saturation and brightness. */
export function colourName([r, g, b]: readonly [number, number, number]): string {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max < 50) return 'black';
  if (max - min < 40) return max > 200 ? 'white' : 'grey';
  const d = max - min;
  const hue = max === r ? (((g - b) / d) % 6) * 60 : max === g ? ((b - r) / d + 2) * 60 : ((r - g) / d + 4) * 60;
  const h = (hue + 360) % 360;
  const names: Array<[number, string]> = [[15, 'red'], [42, 'orange'], [75, 'yellow'], [165, 'green'], [200, 'cyan'], [255, 'blue'], [330, 'purple'], [360, 'red']];
  return names.find(([limit]) => h < limit)![1];
}

/** Mean colour of the picture's middle band, clear of the counter's text (top) and strip (bottom). */
function background({ data, width, height }: Pixels): [number, number, number] {
  const sum: [number, number, number] = [0, 0, 0];
  let n = 0;
  for (let y = Math.floor(height * 0.35); y < Math.floor(height * 0.7); y++) {
    for (let x = Math.floor(width * 0.1); x < Math.floor(width * 0.9); x++) {
      const o = (y * width + x) * 4;
      sum[0] += data[o]!;
      sum[1] += data[o + 1]!;
      sum[2] += data[o + 2]!;
      n++;
    }
  }
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

export interface SceneReading {
  timestamp: number;
  colour: string;
  /** The strip's value, or null when it does not read cleanly. */
  counter: number | null;
}

/** What each skim frame shows, in time order; frames without an image are skipped. */
export async function readScenes(frames: readonly SkimFrame[], pixels: ReadPixels): Promise<SceneReading[]> {
  const readings: SceneReading[] = [];
  for (const frame of frames) {
    if (!frame.image) continue;
    const picture = await pixels(frame.image);
    const counter = readFrameIndex(picture.data, picture.width, picture.height);
    readings.push({ timestamp: frame.timestamp, colour: colourName(background(picture)), counter: counter < 0 ? null : counter });
  }
  return readings;
}

export function nearest(readings: readonly SceneReading[], seconds: number): SceneReading | null {
  let best: SceneReading | null = null;
  for (const reading of readings) {
    if (!best || Math.abs(reading.timestamp - seconds) < Math.abs(best.timestamp - seconds)) best = reading;
  }
  return best;
}

/**
 * The span where the skim shows `colour`: from just before its first frame to just after its
 * last, by half the skim's spacing, within the video.
 */
export function spanOf(readings: readonly SceneReading[], colour: string, duration: number): { start: number; end: number } | null {
  const times = readings.filter((r) => r.colour === colour).map((r) => r.timestamp);
  if (times.length === 0) return null;
  const spacing = readings.length > 1 ? duration / readings.length : duration;
  return { start: Math.max(0, Math.min(...times) - spacing / 2), end: Math.min(duration, Math.max(...times) + spacing / 2) };
}

/** A `<json>` reply as the protocol's parser reads it. */
export function jsonReply(value: unknown): string {
  return `<json>${JSON.stringify(value)}</json>`;
}

export function transcriptCall(videoName: string, start: number, end: number, rationale: string) {
  return {
    needed: true,
    why_no_tool: '',
    tool_calls: [{ rationale, name: 'verbal_transcript', arguments: { video_path: videoName, timestamp_start: formatTimestamp(start), timestamp_end: formatTimestamp(end) } }],
  };
}
