/** Model download progress, as both model workers (VLM and Whisper) report it to the page. */
import type { ProgressInfo } from '@huggingface/transformers';

export interface ModelLoadProgress {
  /** Bytes of model files read so far and in total (the total grows as files start). */
  loaded: number;
  total: number;
  /** File being read, relative to the model folder. */
  file: string;
}

/**
 * A transformers.js `progress_callback` that reports totals over every file seen so far:
 * transformers.js reports each file on its own, and several download at once.
 */
export function progressForwarder(onProgress: (progress: ModelLoadProgress) => void): (info: ProgressInfo) => void {
  const files = new Map<string, { loaded: number; total: number }>();
  return (info) => {
    if (info.status !== 'progress') return;
    files.set(info.file, { loaded: info.loaded, total: info.total });
    let loadedBytes = 0;
    let totalBytes = 0;
    for (const file of files.values()) {
      loadedBytes += file.loaded;
      totalBytes += file.total;
    }
    onProgress({ loaded: loadedBytes, total: totalBytes, file: info.file });
  };
}
