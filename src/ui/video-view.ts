/**
 * The open video: the `<video>` element, or the frame player where the element cannot play the file,
 * a note on why, the evidence timeline and the file's details.
 */
import { isAppError, toAppError, type AppError } from '../core/errors';
import type { VideoState } from '../workspace/workspace';
import { h } from './dom';
import { EvidenceTimeline } from './evidence-timeline';
import { fileDetails } from './file-details';
import { FramePlayer } from './frame-player';
import { checkElementPlayback, choosePlayback, type PlaybackChoice } from './playback';

export interface VideoViewHost {
  /** The video open now; a player's failure for an older one is dropped. */
  video(): VideoState | null;
  /** A player could not read the open file. */
  fail(error: AppError): void;
}

export class VideoView {
  private readonly player = h('video', { controls: true, playsinline: true, preload: 'auto', hidden: true });
  /** Where the frame player goes, in the `<video>` element's place. */
  private readonly playerSlot = h('div', { class: 'player-slot' });
  /** Why the `<video>` element is not the player, when it is not. */
  private readonly playerNote = h('p', { class: 'player-note muted', hidden: true });
  readonly timeline = new EvidenceTimeline();
  private readonly details = h('dl', { class: 'details', hidden: true });
  /** Shows the open file where the `<video>` element cannot play it. */
  private framePlayer: { videoId: number; player: FramePlayer } | null = null;
  /** In order, for the video section. */
  readonly elements: readonly HTMLElement[] = [this.player, this.playerSlot, this.playerNote, this.timeline.element, this.details];

  constructor(private readonly host: VideoViewHost) {
    this.player.addEventListener('timeupdate', () => this.timeline.movePlayhead(this.player.currentTime));
    // Chromium's player fails some files outright and opens others (MPEG-TS) as sound only.
    for (const type of ['error', 'loadedmetadata']) this.player.addEventListener(type, () => this.checkPlayer());
  }

  /** Shows another video, or the same one once its file has been read. */
  show(video: VideoState | null, previous: VideoState | null): void {
    if (video?.id !== previous?.id) {
      this.details.hidden = true;
      this.playerNote.hidden = true;
      this.timeline.reset(video?.duration ?? 0, false);
      if (!video) {
        this.player.removeAttribute('src');
        this.player.hidden = true;
        return;
      }
      this.player.src = video.url;
      this.player.hidden = false;
      this.player.requestVideoFrameCallback(() => performance.mark('sage:first-frame'));
    }
    if (!video?.file || video.file === previous?.file) return;
    // The file has been read: choose the player and describe the file.
    const playback = choosePlayback(video.file.probe, (type) => this.player.canPlayType(type));
    if (playback.mode !== 'element') this.usePlayer(video, playback);
    else this.checkPlayer();
    this.details.replaceChildren(...fileDetails(video.name, video.file.probe).flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
    this.details.hidden = false;
    this.timeline.reset(video.duration, true);
  }

  /** Plays from `seconds`. */
  seek(seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const framePlayer = this.framePlayer?.player;
    if (framePlayer) {
      void framePlayer.seek(seconds).then(() => framePlayer.play());
      return;
    }
    if (this.player.hidden) return;
    this.player.currentTime = seconds;
    void this.player.play().catch(() => {});
  }

  /** The frame player reads the file, so the workspace closes the file after this. */
  async release(video: VideoState): Promise<void> {
    const held = this.framePlayer;
    if (held?.videoId !== video.id) return;
    this.framePlayer = null;
    this.playerSlot.replaceChildren();
    await held.player.dispose();
  }

  /** Once the `<video>` element has tried the open file: the frame player takes over if it failed. */
  private checkPlayer(): void {
    const video = this.host.video();
    if (!video?.file || this.framePlayer?.videoId === video.id || this.player.hidden) return;
    // Until the element has read the file's metadata or failed, there is nothing to judge.
    if (!this.player.error && this.player.readyState < HTMLMediaElement.HAVE_METADATA) return;
    const fallback = checkElementPlayback(video.file.probe, this.player);
    if (fallback) this.usePlayer(video, fallback);
  }

  /** Shows `video` with the frame player (or with neither player), and says why. */
  private usePlayer(video: VideoState, choice: PlaybackChoice): void {
    this.player.removeAttribute('src');
    this.player.load();
    this.player.hidden = true;
    this.playerNote.textContent = choice.reason;
    this.playerNote.hidden = choice.reason === null;
    if (choice.mode !== 'frames' || !video.file) return;
    const player = new FramePlayer();
    this.framePlayer = { videoId: video.id, player };
    player.element.addEventListener('timeupdate', () => this.timeline.movePlayhead(player.currentTime));
    player.element.addEventListener('error', (event) => {
      if (event instanceof CustomEvent && isAppError(event.detail)) this.host.fail(event.detail);
    });
    this.playerSlot.replaceChildren(player.element);
    player.load(video.file).catch((error: unknown) => {
      if (this.host.video()?.id === video.id) this.host.fail(toAppError(error));
    });
  }
}
