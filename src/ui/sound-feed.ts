/**
 * Schedules a playback's decoded sound on the AudioContext, a little ahead of the clock (the frame
 * player's sound).
 */
import type { PlaybackAudio } from '../media/types';

/** Sound is scheduled this far ahead of the clock, enough to ride out a busy main thread. */
const AUDIO_AHEAD_SECONDS = 0.5;

export interface SoundTiming {
  /** The AudioContext time at which a media time sounds. */
  contextTimeOf(media: number): number;
  /** The playback clock, in media time. */
  now(): number;
  fail(error: unknown): void;
}

/**
 * Each block that ends asks for more, so the sound goes on in a hidden tab, where animation frames stop.
 */
export class SoundFeed {
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
