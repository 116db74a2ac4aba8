/** Plain data shared by the speech tool, its pure helpers and the Whisper worker. Times in seconds. */

export interface Span {
  start: number;
  end: number;
}

/** One stretch of recognised speech, with absolute times in the video. */
export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
}
