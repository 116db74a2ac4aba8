/** Plain data that crosses the media worker boundary. Times are in seconds from the start of the file. */

export type Rotation = 0 | 90 | 180 | 270;

export interface VideoTrackInfo {
  /** Mediabunny's codec name ('avc', 'hevc', 'vp9', 'av1', ...), or null when unknown. */
  codec: string | null;
  /** Full codec string as WebCodecs wants it ('avc1.64001f'), or null when unknown. */
  codecString: string | null;
  /** Whether this browser's WebCodecs can decode the track. */
  decodable: boolean;
  codedWidth: number;
  codedHeight: number;
  /** Size a person sees: pixel aspect ratio applied, then rotation. */
  displayWidth: number;
  displayHeight: number;
  /** Clockwise rotation from the container metadata; frames we return are already upright. */
  rotation: Rotation;
  pixelAspectRatio: { num: number; den: number };
  /** Best guess from frame timestamps (never from metadata alone). */
  frameRate: number;
  /** True when frame timestamps do not sit on one regular lattice. */
  variableFrameRate: boolean;
}

export interface AudioTrackInfo {
  codec: string | null;
  codecString: string | null;
  decodable: boolean;
  /** A decoder exists (an extension) but the page's Content-Security-Policy does not let it start. */
  blockedByPolicy: boolean;
  sampleRate: number;
  channels: number;
}

export interface ProbeResult {
  /** Container format name as mediabunny reports it ('MP4', 'WebM', 'MP3', ...). */
  container: string;
  mimeType: string;
  fileSize: number;
  durationSeconds: number;
  /**
   * How far from the start the file's data can be read: the duration, unless the file was cut
   * short (its index still promises the whole duration).
   */
  readableSeconds: number;
  video: VideoTrackInfo | null;
  audio: AudioTrackInfo | null;
}

/**
 * - `fast`: each requested time snaps to the nearest key frame; only key frames are decoded, each
 *   at most once. Timestamps are the key frames' true times.
 * - `exact`: frames at the requested times (the frame showing at that instant).
 */
export type SkimMode = 'fast' | 'exact';

/** How frame pixels cross the boundary: a transferable bitmap, or an encoded image blob. */
export type FrameFormat = 'bitmap' | 'jpeg' | 'webp' | 'png';

export interface Frame {
  /** The time that was asked for. */
  requestedTime: number;
  /** The true presentation time of the decoded frame. */
  timestamp: number;
  width: number;
  height: number;
  image: ImageBitmap | Blob;
}

export interface SkimOptions {
  /** How many frames; default follows the duration: 1 per second, at most 128. */
  count?: number;
  mode?: SkimMode;
  /** Longest side of each frame in pixels (default 384). */
  maxSide?: number;
  format?: FrameFormat;
}

export interface ExtractOptions {
  start: number;
  end: number;
  /** Evenly spaced frames in [start, end] (default 10). */
  count?: number;
  /** Longest side in pixels (default 1280, never above the video's own size). */
  maxSide?: number;
  format?: FrameFormat;
}

/** Audio is always returned as 16 kHz mono float samples, the rate speech models take. */
export const AUDIO_SAMPLE_RATE = 16_000;

export interface AudioChunk {
  /** Time of the first sample in this chunk. */
  start: number;
  samples: Float32Array;
}

/** One frame to watch: an upright bitmap the receiver draws once and closes. */
export interface PlaybackFrame {
  /** Presentation time of the frame. */
  timestamp: number;
  width: number;
  height: number;
  image: ImageBitmap;
}

/** Decoded audio to listen to, at the track's own rate and channels. */
export interface PlaybackAudio {
  /** Time of the first sample. */
  timestamp: number;
  sampleRate: number;
  /** One array of samples per channel, all the same length. */
  planes: Float32Array<ArrayBuffer>[];
}
