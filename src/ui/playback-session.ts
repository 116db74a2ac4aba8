/**
 * One run of the frame player's playback from a start time. Frames follow the audio clock (else
 * `performance.now()`); a frame whose successor is already due is dropped, and when decoding falls
 * more than a second behind the clock, it starts again ahead of the clock.
 */
import type { MediaFile } from '../media/media-client';
import type { PlaybackFrame } from '../media/types';
import { SoundFeed } from './sound-feed';

/** Frames read ahead of the clock: the next to show and one after it, so none queue up. */
const FRAMES_AHEAD = 2;
/** Sound starts this long after play is pressed, so its first blocks are scheduled in time. */
const AUDIO_START_SECONDS = 0.1;
/** Decoded frames this far behind the clock restart the frame stream ahead of it. */
const BEHIND_SECONDS = 1;
/** How far ahead of the clock a restarted stream starts at first; it grows with what a restart took. */
const CATCH_UP_LEAD_SECONDS = 0.5;

/** What a running playback tells its player. */
export interface SessionEvents {
  draw(frame: PlaybackFrame): void;
  /** `ended`: the clock has reached the end and every frame has been shown or dropped. */
  tick(time: number, ended: boolean): void;
  fail(error: unknown): void;
}

/** One run of playback from a start time: its streams, its clock and its animation loop. */
export class PlaybackSession {
  /** Resolves once the clock runs (or the session was stopped before it could). */
  started: Promise<void> = Promise.resolve();
  private stopped = false;
  private clock: (() => number) | null = null;
  private frames: ReadableStreamDefaultReader<PlaybackFrame> | null = null;
  private readonly queue: PlaybackFrame[] = [];
  private readingFrame = false;
  private framesDone = false;
  /** The newest frame read, in media time; where a stream starts until its first frame arrives. */
  private newestFrame: number;
  /** The clock when the running frame stream was opened, and whether its first frame has come. */
  private streamOpened = { clock: 0, delivered: false };
  private catchUpLead = CATCH_UP_LEAD_SECONDS;
  private sound: SoundFeed | null = null;
  private animation = 0;

  constructor(
    private readonly file: MediaFile,
    private readonly from: number,
    private readonly maxSide: number,
    private readonly events: SessionEvents,
  ) {
    this.newestFrame = from;
  }

  now(): number {
    return this.clock ? this.clock() : this.from;
  }

  start(output: Promise<AudioContext | null>): void {
    if (this.file.probe.video?.decodable) this.openFrames(this.from);
    this.started = this.startClock(output).catch((error: unknown) => {
      if (!this.stopped) this.events.fail(error);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    cancelAnimationFrame(this.animation);
    for (const frame of this.queue.splice(0)) frame.image.close();
    // A stream that failed has nothing left to stop; its error was reported when it was read.
    await Promise.all([this.frames?.cancel().catch(() => {}), this.sound?.stop()]);
  }

  private async startClock(output: Promise<AudioContext | null>): Promise<void> {
    const context = await output;
    if (this.stopped) return;
    if (context) {
      // Media time `from` sounds at context time `anchor`.
      const anchor = context.currentTime + AUDIO_START_SECONDS;
      // The time being heard now: what was scheduled `outputLatency` ago is leaving the speakers.
      this.clock = () => this.from + Math.max(0, context.currentTime - context.outputLatency - anchor);
      this.sound = new SoundFeed(context, this.file.playbackAudio(this.from).getReader(), {
        contextTimeOf: (media) => anchor + (media - this.from),
        now: () => this.now(),
        fail: (error) => this.events.fail(error),
      });
    } else {
      const origin = performance.now();
      this.clock = () => this.from + (performance.now() - origin) / 1000;
    }
    this.tick();
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    const now = this.now();
    // A frame whose successor is already due is late: it is dropped, never shown.
    while (this.queue.length > 1 && (this.queue[1]?.timestamp ?? Infinity) <= now) this.queue.shift()?.image.close();
    const due = this.queue[0];
    if (due && due.timestamp <= now) {
      this.queue.shift();
      this.events.draw(due);
    }
    this.catchUp(now);
    this.readFrame();
    this.sound?.fill();
    const drained = !this.frames || (this.framesDone && this.queue.length === 0);
    this.events.tick(now, drained && now >= this.file.probe.durationSeconds);
    if (!this.stopped) this.animation = requestAnimationFrame(this.tick);
  };

  private openFrames(start: number): void {
    this.frames = this.file.playbackFrames(start, this.maxSide).getReader();
    this.framesDone = false;
    this.newestFrame = start;
    this.streamOpened = { clock: this.now(), delivered: false };
  }

  /**
   * When decoding cannot keep up, the frames shown drift behind the sound. Past BEHIND_SECONDS the
   * stream starts again ahead of the clock, by what the last restart took to deliver its first
   * frame, so a slow machine shows fewer frames, in time, instead of every frame, late.
   */
  private catchUp(now: number): void {
    if (!this.frames || this.framesDone || now - this.newestFrame <= BEHIND_SECONDS) return;
    if (now - this.streamOpened.clock <= BEHIND_SECONDS) return;
    const old = this.frames;
    void old.cancel().catch(() => {});
    for (const frame of this.queue.splice(0)) frame.image.close();
    this.readingFrame = false;
    const target = Math.min(this.file.probe.durationSeconds, now + this.catchUpLead);
    this.openFrames(target);
  }

  private readFrame(): void {
    const frames = this.frames;
    if (!frames || this.readingFrame || this.framesDone || this.queue.length >= FRAMES_AHEAD) return;
    this.readingFrame = true;
    frames.read().then(
      ({ done, value }) => {
        // A stream replaced by a catch-up: what it still gives is not wanted.
        if (this.frames !== frames) {
          value?.image.close();
          return;
        }
        this.readingFrame = false;
        if (this.stopped) value?.image.close();
        else if (done) this.framesDone = true;
        else {
          if (!this.streamOpened.delivered) {
            // The first frame of a stream: the next catch-up leads by at least what this one took.
            this.streamOpened.delivered = true;
            this.catchUpLead = Math.max(CATCH_UP_LEAD_SECONDS, 1.5 * (this.now() - this.streamOpened.clock));
          }
          this.newestFrame = value.timestamp;
          this.queue.push(value);
          this.readFrame();
        }
      },
      (error: unknown) => {
        if (!this.stopped && this.frames === frames) this.events.fail(error);
      },
    );
  }
}
