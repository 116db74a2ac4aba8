/**
 * Codec and container names as people know them, for messages. Free of mediabunny so the page's
 * own code can use it without loading the demuxers.
 */

const CODEC_NAMES: Record<string, string> = {
  avc: 'H.264',
  hevc: 'HEVC (H.265)',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
  aac: 'AAC',
  opus: 'Opus',
  mp3: 'MP3',
  vorbis: 'Vorbis',
  flac: 'FLAC',
  ac3: 'AC-3',
  eac3: 'E-AC-3',
  dts: 'DTS',
};

/** A mediabunny codec id ('avc', 'ac3') as a name: 'H.264', 'AC-3'. */
export function codecName(codec: string | null): string {
  if (!codec) return 'an unknown codec';
  return CODEC_NAMES[codec] ?? codec.toUpperCase();
}

const CONTAINER_NAMES: Record<string, string> = {
  'MPEG Transport Stream': 'MPEG-TS',
  Matroska: 'MKV',
  'QuickTime File Format': 'QuickTime (MOV)',
};

/** A mediabunny format name ('MPEG Transport Stream') as people say it ('MPEG-TS'). */
export function containerName(container: string): string {
  return CONTAINER_NAMES[container] ?? container;
}
