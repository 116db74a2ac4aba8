/** Model download progress, as both model workers (VLM and Whisper) report it to the page. */
import type { ProgressInfo } from '@huggingface/transformers';

export interface FileLoadProgress {
  /** File relative to the model folder. */
  file: string;
  loaded: number;
  total: number;
}

export interface ModelLoadProgress {
  /** Bytes of model files read so far and in total (the total grows as files start). */
  loaded: number;
  total: number;
  /** File being read, relative to the model folder. */
  file: string;
  /** Every file seen so far, in the order they started; `loaded` and `total` are their sums. */
  files: FileLoadProgress[];
}

/**
 * A transformers.js `progress_callback` that reports totals over every file seen so far:
 * transformers.js reports each file on its own, and several download at once.
 */
export function progressForwarder(onProgress: (progress: ModelLoadProgress) => void): (info: ProgressInfo) => void {
  const files = new Map<string, FileLoadProgress>();
  return (info) => {
    if (info.status !== 'progress') return;
    files.set(info.file, { file: info.file, loaded: info.loaded, total: info.total });
    let loadedBytes = 0;
    let totalBytes = 0;
    for (const file of files.values()) {
      loadedBytes += file.loaded;
      totalBytes += file.total;
    }
    // Copies: the report crosses postMessage, and a later event must not change an earlier report.
    onProgress({ loaded: loadedBytes, total: totalBytes, file: info.file, files: [...files.values()].map((file) => ({ ...file })) });
  };
}
