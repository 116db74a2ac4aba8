/**
 * The open video's transcript as the workspace keeps it: "Transcribe all" window by window, keeping
 * spans in the browser's storage under the speech model's key and restoring them, forgetting them,
 * and the transcript slice of the state.
 */
import { isCancelled, toAppError, type AppError } from '../core/errors';
import type { SpeechTranscriber } from '../core/contracts';
import { transcriptKey, type TranscriptStorage } from '../tools/transcript-store';
import { verbalTranscript } from '../tools/verbal-transcript';
import { keepVideoTranscript, transcriptParts, type OpenVideo } from './open-video';
import { transcriptState, type ErrorStage, type ProgressRow, type WorkspaceState } from './workspace-state';

/** "Transcribe all" works through the video in windows this long, so progress shows and Stop is quick. */
export const TRANSCRIBE_WINDOW_SECONDS = 300;

/** What the transcript needs of the workspace. */
export interface TranscriptHost {
  /** The open video, if any. */
  video(): OpenVideo | null;
  state(): WorkspaceState;
  update(patch: Partial<WorkspaceState>): void;
  setProgress(row: ProgressRow): void;
  finishProgress(id: string): void;
  announce(text: string): void;
  fail(error: AppError, during: ErrorStage): void;
  speech(): SpeechTranscriber;
  /** The speech model whose text the transcript holds (part of its storage key). */
  speechModel(): string;
}

export class VideoTranscript {
  private transcribing: AbortController | null = null;

  constructor(
    private readonly host: TranscriptHost,
    private readonly store: TranscriptStorage,
  ) {}

  /** Transcribes the whole open video, window by window, skipping what is already transcribed. */
  async transcribeAll(): Promise<void> {
    const video = this.host.video();
    if (!video || this.transcribing) return;
    const controller = new AbortController();
    this.transcribing = controller;
    this.host.update({ transcribing: true });
    const signal = AbortSignal.any([controller.signal, video.abort.signal]);
    const duration = video.state.duration;
    try {
      for (let start = 0; start < duration; start += TRANSCRIBE_WINDOW_SECONDS) {
        const window = { start, end: Math.min(duration, start + TRANSCRIBE_WINDOW_SECONDS) };
        this.host.setProgress({ id: 'transcribe', label: 'Transcribing', done: start, total: duration, unit: 'seconds' });
        await verbalTranscript({ audio: video.state.file, transcriber: this.host.speech(), cache: video.transcriptCache }, window, { signal });
        this.refresh(video);
      }
      this.host.announce('The whole video is transcribed.');
    } catch (error) {
      if (!isCancelled(error)) this.host.fail(toAppError(error), 'transcribe');
    } finally {
      this.host.finishProgress('transcribe');
      if (this.transcribing === controller) this.transcribing = null;
      this.host.update({ transcribing: this.transcribing !== null });
      this.refresh(video);
    }
  }

  stopTranscribing(): void {
    this.transcribing?.abort();
  }

  /** Forgets `video`'s transcript, in this page and in the browser's storage; what is transcribed after is kept again. */
  async forget(video: OpenVideo): Promise<void> {
    this.empty(video);
    try {
      await this.store.remove(await transcriptKey(video.blob, transcriptParts(video, this.host.speechModel())));
    } catch (error) {
      if (this.host.video() === video) this.showNotice(toAppError(error).message);
    }
    if (this.host.video() === video) this.keep(video);
  }

  /** Restores what was transcribed of this file with the current speech model before, and keeps new spans. */
  keep(video: OpenVideo): void {
    keepVideoTranscript(video, {
      store: this.store,
      speechModel: this.host.speechModel(),
      onUnavailable: (error) => {
        if (this.host.video() === video) this.showNotice(error.message);
      },
      onRestored: () => this.refresh(video),
    });
  }

  /** Another speech model gives other text: `video`'s transcript starts over under its key. */
  restart(video: OpenVideo): void {
    this.empty(video);
    this.keep(video);
  }

  /** Shows what `video`'s transcript cache holds now, while it is the open video. */
  refresh(video: OpenVideo | null): void {
    if (!video || this.host.video() !== video) return;
    this.host.update({ transcript: transcriptState(video.transcriptCache, video.state.duration, this.host.state().transcript.notice) });
  }

  /** Stops transcribing and keeping the video's transcript, and empties it; `keep` starts keeping again. */
  private empty(video: OpenVideo): void {
    this.transcribing?.abort();
    video.keeping?.abort();
    video.transcriptCache.clear();
    this.refresh(video);
  }

  private showNotice(notice: string): void {
    this.host.update({ transcript: { ...this.host.state().transcript, notice } });
  }
}
