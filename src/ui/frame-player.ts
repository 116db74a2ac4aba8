/**
 * The frame player: shows a file the `<video>` element cannot play by drawing frames from the media
 * worker on a canvas, with its sound through an AudioContext where the audio decodes. The player
 * owns the controls; each run of playback is a `PlaybackSession` (playback-session.ts).
 */
import { AppError, isCancelled, toAppError } from '../core/errors';
import { fitSize } from '../media/frame-renderer';
import type { MediaFile } from '../media/media-client';
import type { PlaybackFrame } from '../media/types';
import { h } from './dom';
import { formatClock } from './format';
import { PlaybackSession } from './playback-session';

const DEFAULT_MAX_SIDE = 1280;
/** `timeupdate` fires at least this often (in media time) while playing, like the `<video>` element's. */
const TIMEUPDATE_SECONDS = 0.25;

export interface FramePlayerOptions {
  /** Longest side of the frames drawn, in pixels (default 1280; never above the video's own size). */
  maxSide?: number;
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
  private session: PlaybackSession | null = null;
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

  private startSession(): PlaybackSession {
    const file = this.file as MediaFile;
    this.seeking?.abort();
    const session = new PlaybackSession(file, this.position, this.maxSide, {
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
