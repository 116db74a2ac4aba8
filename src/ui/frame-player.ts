/**
 * The frame player: shows a file the `<video>` element cannot play by drawing frames from the media
 * worker on a canvas, with its sound through an AudioContext where the audio decodes. Frames follow
 * the audio clock (else `performance.now()`); a frame whose successor is already due is dropped,
 * and when decoding falls more than a second behind the clock, it starts again ahead of the clock.
 */
import { AppError, isCancelled, toAppError } from '../core/errors';
import { fitSize } from '../media/frame-renderer';
import type { MediaFile } from '../media/media-client';
import type { PlaybackAudio, PlaybackFrame } from '../media/types';
import { h } from './dom';
import { formatClock } from './format';

const DEFAULT_MAX_SIDE = 1280;
/** Frames read ahead of the clock: the next to show and one after it, so none queue up. */
const FRAMES_AHEAD = 2;
/** Sound is scheduled this far ahead of the clock, enough to ride out a busy main thread. */
const AUDIO_AHEAD_SECONDS = 0.5;
/** Sound starts this long after play is pressed, so its first blocks are scheduled in time. */
const AUDIO_START_SECONDS = 0.1;
/** `timeupdate` fires at least this often (in media time) while playing, like the `<video>` element's. */
const TIMEUPDATE_SECONDS = 0.25;
/** Decoded frames this far behind the clock restart the frame stream ahead of it. */
const BEHIND_SECONDS = 1;
/** How far ahead of the clock a restarted stream starts at first; it grows with what a restart took. */
const CATCH_UP_LEAD_SECONDS = 0.5;

export interface FramePlayerOptions {
  /** Longest side of the frames drawn, in pixels (default 1280; never above the video's own size). */
  maxSide?: number;
}

/** What a running playback tells its player. */
interface SessionEvents {
  draw(frame: PlaybackFrame): void;
  /** `ended`: the clock has reached the end and every frame has been shown or dropped. */
  tick(time: number, ended: boolean): void;
  fail(error: unknown): void;
}

/**
 * Events dispatched on `element`: `timeupdate`, `play`, `pause`, `ended` (plain Events) and
 * `error` (a CustomEvent whose detail is the AppError). Call `dispose()` when done with it.
 */
export class FramePlayer {
  readonly element: HTMLDivElement;
  private readonly canvas = h('canvas', { class: 'frame-canvas', role: 'img', 'aria-label': 'Video frame' });
  private readonly playButton = h('button', { type: 'button', class: 'frame-play' }, 'Play');
  private readonly range = h('input', {
    type: 'range',
    class: 'frame-seek',
    min: 0,
    max: 0,
    step: 'any',
    value: 0,
    'aria-label': 'Position in the video',
  });
  private readonly timeText = h('span', { class: 'frame-time' }, formatClock(0));
  private readonly drawing: CanvasRenderingContext2D;
  private readonly maxSide: number;
  private file: MediaFile | null = null;
  /** Where the player stands while paused (and where a playback started). */
  private position = 0;
  private session: Session | null = null;
  private seeking: AbortController | null = null;
  private audioContext: AudioContext | null = null;
  private lastTimeupdate = Number.NEGATIVE_INFINITY;
  private disposed: Promise<void> | null = null;

  constructor(options: FramePlayerOptions = {}) {
    this.maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
    this.element = h(
      'div',
      { class: 'frame-player', role: 'group', 'aria-label': 'Video player' },
      this.canvas,
      h('div', { class: 'frame-controls' }, this.playButton, this.range, this.timeText),
    );
    const drawing = this.canvas.getContext('2d', { alpha: false });
    if (!drawing) throw new AppError('internal', 'This browser cannot draw video frames (no 2D canvas).');
    this.drawing = drawing;
    this.playButton.addEventListener('click', () => void (this.paused ? this.play() : this.pause()));
    this.range.addEventListener('input', () => void this.seek(Number(this.range.value)));
    this.showControls();
  }

  get paused(): boolean {
    return this.session === null;
  }

  get duration(): number {
    return this.file?.probe.durationSeconds ?? 0;
  }

  get currentTime(): number {
    return this.session ? Math.min(this.duration, this.session.now()) : this.position;
  }

  /** Shows `file` from its start, paused. Rejects when the file can be neither shown nor heard here. */
  async load(file: MediaFile): Promise<void> {
    if (this.disposed) return;
    const { video, audio } = file.probe;
    if (!video?.decodable && !audio?.decodable) {
      throw new AppError('unsupported-codec', 'This file can be neither shown nor heard in this browser.');
    }
    const stopping = this.stopSession();
    this.file = file;
    this.canvas.hidden = !video?.decodable;
    if (video?.decodable) {
      const { width, height } = fitSize(video.displayWidth, video.displayHeight, this.maxSide);
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.range.max = String(file.probe.durationSeconds);
    this.showControls();
    await Promise.all([stopping, this.seek(0)]);
  }

  /** Starts playing from `currentTime` (from the start once at the end); resolves once the clock runs. */
  async play(): Promise<void> {
    if (!this.file || this.session || this.disposed) return;
    if (this.position >= this.duration) this.position = 0;
    const session = this.startSession();
    this.showControls();
    this.emit('play');
    await session.started;
  }

  /** Pauses; resolves once the worker has stopped decoding and every frame is closed. */
  async pause(): Promise<void> {
    if (!this.session) return;
    this.position = this.currentTime;
    const stopping = this.stopSession();
    this.showControls();
    this.emit('pause');
    this.showTime(this.position, true);
    await stopping;
  }

  /** Moves to `seconds`; resolves once the frame there is drawn (paused) or playback runs from there. */
  async seek(seconds: number): Promise<void> {
    if (!this.file || this.disposed || !Number.isFinite(seconds)) return;
    const time = Math.min(this.duration, Math.max(0, seconds));
    const playing = this.session !== null;
    const stopping = this.stopSession();
    this.position = time;
    this.showTime(time, true);
    // A playback's first frame is the one showing at its start, so only a paused seek fetches one.
    const moved = playing ? this.startSession().started : this.drawFrameAt(time);
    await Promise.all([stopping, moved]);
  }

  /** Stops playback and releases the audio output; safe to call more than once. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.seeking?.abort();
      await this.stopSession();
      this.file = null;
      this.showControls();
      await this.audioContext?.close();
    })();
    return this.disposed;
  }

  private startSession(): Session {
    const file = this.file as MediaFile;
    this.seeking?.abort();
    const session = new Session(file, this.position, this.maxSide, {
      draw: (frame) => this.draw(frame),
      tick: (time, ended) => this.onTick(time, ended),
      fail: (error) => void this.fail(error),
    });
    this.session = session;
    session.start(this.soundOutput());
    return session;
  }

  private stopSession(): Promise<void> {
    const session = this.session;
    this.session = null;
    return session ? session.stop() : Promise.resolve();
  }

  /**
   * The running AudioContext to play the file's sound through, or null to play silently: when the
   * audio cannot be decoded, or before any gesture on the page, when the context could not start
   * and would hold the clock still.
   */
  private async soundOutput(): Promise<AudioContext | null> {
    if (!this.file?.probe.audio?.decodable || !navigator.userActivation.hasBeenActive) return null;
    this.audioContext ??= new AudioContext();
    await this.audioContext.resume();
    return this.audioContext;
  }

  private async drawFrameAt(time: number): Promise<void> {
    const file = this.file;
    if (!file?.probe.video?.decodable) return;
    this.seeking?.abort();
    const controller = new AbortController();
    this.seeking = controller;
    try {
      const frame = await file.frameAt(time, this.maxSide, { signal: controller.signal });
      if (controller.signal.aborted || this.file !== file) frame.image.close();
      else this.draw(frame);
    } catch (error) {
      if (!isCancelled(error) && !controller.signal.aborted) await this.fail(error);
    } finally {
      if (this.seeking === controller) this.seeking = null;
    }
  }

  private draw(frame: PlaybackFrame): void {
    this.drawing.drawImage(frame.image, 0, 0, this.canvas.width, this.canvas.height);
    frame.image.close();
  }

  private onTick(time: number, ended: boolean): void {
    if (!ended) {
      this.showTime(Math.min(this.duration, time), false);
      return;
    }
    this.position = this.duration;
    void this.stopSession();
    this.showControls();
    this.showTime(this.position, true);
    this.emit('pause');
    this.emit('ended');
  }

  private async fail(cause: unknown): Promise<void> {
    const error = toAppError(cause, 'decode-failed', 'This video could not be played from here on.');
    const playing = this.session !== null;
    if (playing) this.position = this.currentTime;
    const stopping = this.stopSession();
    this.showControls();
    if (playing) this.emit('pause');
    this.element.dispatchEvent(new CustomEvent('error', { detail: error }));
    await stopping;
  }

  private showControls(): void {
    this.playButton.textContent = this.paused ? 'Play' : 'Pause';
    this.playButton.disabled = this.file === null;
    this.range.disabled = this.file === null;
  }

  /** Moves the controls to `time`; `timeupdate` fires when forced or a quarter second has passed. */
  private showTime(time: number, force: boolean): void {
    const text = formatClock(time);
    this.timeText.textContent = `${text} / ${formatClock(this.duration)}`;
    this.range.value = String(time);
    this.range.setAttribute('aria-valuetext', text);
    if (force || Math.abs(time - this.lastTimeupdate) >= TIMEUPDATE_SECONDS) {
      this.lastTimeupdate = time;
      this.emit('timeupdate');
    }
  }

  private emit(type: 'timeupdate' | 'play' | 'pause' | 'ended'): void {
    this.element.dispatchEvent(new Event(type));
  }
}

/** One run of playback from a start time: its streams, its clock and its animation loop. */
class Session {
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

interface SoundTiming {
  /** The AudioContext time at which a media time sounds. */
  contextTimeOf(media: number): number;
  /** The playback clock, in media time. */
  now(): number;
  fail(error: unknown): void;
}

/**
 * Schedules a playback's decoded sound on the AudioContext, a little ahead of the clock. Each block
 * that ends asks for more, so the sound goes on in a hidden tab, where animation frames stop.
 */
class SoundFeed {
  private reading = false;
  private done = false;
  private stopped = false;
  /** Media time up to which sound has been scheduled. */
  private scheduledUntil = Number.NEGATIVE_INFINITY;
  private readonly nodes = new Set<AudioBufferSourceNode>();

  constructor(
    private readonly context: AudioContext,
    private readonly reader: ReadableStreamDefaultReader<PlaybackAudio>,
    private readonly timing: SoundTiming,
  ) {}

  fill(): void {
    if (this.stopped || this.reading || this.done || this.scheduledUntil - this.timing.now() > AUDIO_AHEAD_SECONDS) return;
    this.reading = true;
    this.reader.read().then(
      ({ done, value }) => {
        this.reading = false;
        if (this.stopped) return;
        if (done) this.done = true;
        else {
          this.schedule(value);
          this.fill();
        }
      },
      (error: unknown) => {
        if (!this.stopped) this.timing.fail(error);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const node of this.nodes) {
      node.stop();
      node.disconnect();
    }
    this.nodes.clear();
    await this.reader.cancel().catch(() => {});
  }

  private schedule(chunk: PlaybackAudio): void {
    const length = chunk.planes[0]?.length ?? 0;
    if (length === 0) return;
    const buffer = new AudioBuffer({ numberOfChannels: chunk.planes.length, length, sampleRate: chunk.sampleRate });
    chunk.planes.forEach((plane, channel) => buffer.copyToChannel(plane, channel));
    this.scheduledUntil = chunk.timestamp + buffer.duration;
    const when = this.timing.contextTimeOf(chunk.timestamp);
    // Sound already due (the block holding the start time, or one decoded late) starts part-way in.
    const offset = Math.max(0, this.context.currentTime - when);
    if (offset >= buffer.duration) return;
    const node = new AudioBufferSourceNode(this.context, { buffer });
    node.connect(this.context.destination);
    node.addEventListener('ended', () => {
      node.disconnect();
      this.nodes.delete(node);
      this.fill();
    });
    node.start(when + offset, offset);
    this.nodes.add(node);
  }
}
