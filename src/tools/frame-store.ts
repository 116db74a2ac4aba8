/**
 * Frames held in memory for the tools, by id. `extract_parts_from_timestamp` puts frames in under
 * the names it gives in `media_paths`; `perform_reasoning` and the UI look them up. Frames added
 * without names get `frame_1`, `frame_2`, ...
 * Memory is bounded: past the limit the oldest frames are dropped and their bitmaps closed.
 */
import type { FrameRef, PixelSize } from '../core/contracts';

export type FrameImage = ImageBitmap | Blob;

export interface StoredFrame extends FrameRef {
  width: number;
  height: number;
  image: FrameImage;
}

/** What a frame needs to be stored; media worker `Frame`s fit as they are. */
export interface FrameInput {
  timestamp: number;
  width: number;
  height: number;
  image: FrameImage;
}

export interface FrameStoreOptions {
  /** Most frames kept at once (default 200: twenty extractions of ten). */
  limit?: number;
  /** Id prefix (default 'frame'): ids are `${prefix}_${n}`, n counting from 1 and never reused. */
  prefix?: string;
  /** The display size of the video the frames are cut from, for a model that sizes them from it. */
  source?: PixelSize;
}

export const DEFAULT_FRAME_LIMIT = 200;

export class FrameStore {
  private readonly frames = new Map<string, StoredFrame>();
  private readonly limit: number;
  private readonly prefix: string;
  readonly source: FrameStoreOptions['source'];
  private counter = 0;

  constructor(options: FrameStoreOptions = {}) {
    this.limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_FRAME_LIMIT));
    this.prefix = options.prefix ?? 'frame';
    this.source = options.source;
  }

  /**
   * Stores the frames in order and returns them with their ids: `names[i]` where given (a frame
   * stored again under a name replaces the older one), else the next `${prefix}_${n}`.
   */
  add(inputs: readonly FrameInput[], names?: readonly string[]): StoredFrame[] {
    const added = inputs.map((input, index) => {
      this.counter += 1;
      const id = names?.[index] ?? `${this.prefix}_${this.counter}`;
      const older = this.frames.get(id);
      if (older) {
        if (older.image !== input.image) release(older);
        this.frames.delete(id);
      }
      const frame: StoredFrame = {
        id,
        timestamp: input.timestamp,
        width: input.width,
        height: input.height,
        image: input.image,
      };
      this.frames.set(frame.id, frame);
      return frame;
    });
    this.evict();
    return added.filter((frame) => this.frames.has(frame.id));
  }

  get(id: string): StoredFrame | undefined {
    return this.frames.get(id);
  }

  /** The stored frame whose time is nearest `timestamp` (the newest among equals), if any. */
  nearest(timestamp: number): StoredFrame | undefined {
    let best: StoredFrame | undefined;
    for (const frame of this.frames.values()) {
      if (!best || Math.abs(frame.timestamp - timestamp) <= Math.abs(best.timestamp - timestamp)) best = frame;
    }
    return best;
  }

  /** Ids held now, oldest first. */
  ids(): string[] {
    return [...this.frames.keys()];
  }

  get size(): number {
    return this.frames.size;
  }

  /** Drops every frame (a new video, or the end of a session) and frees their bitmaps. */
  clear(): void {
    for (const frame of this.frames.values()) release(frame);
    this.frames.clear();
  }

  private evict(): void {
    // Maps iterate in insertion order, so the first keys are the oldest frames.
    for (const [id, frame] of this.frames) {
      if (this.frames.size <= this.limit) break;
      release(frame);
      this.frames.delete(id);
    }
  }
}

function release(frame: StoredFrame): void {
  // Bitmaps hold decoded pixels until closed; Blobs have no close and are freed by the GC.
  if (!(frame.image instanceof Blob)) frame.image.close();
}
