/** The rows of the "about this file" list under the player, from what the probe found. */
import { formatBytes } from '../core/units';
import { mediaUses } from '../media/media-uses';
import type { ProbeResult } from '../media/types';
import { formatClock } from './format';

export function fileDetails(name: string, probe: ProbeResult): Array<[term: string, value: string]> {
  const rows: Array<[string, string]> = [
    ['File', `${name} (${formatBytes(probe.fileSize)}, ${probe.container})`],
    ['Duration', formatClock(probe.durationSeconds)],
  ];
  const v = probe.video;
  if (v) {
    const rate = v.frameRate > 0 ? ` · ${v.frameRate.toFixed(v.frameRate % 1 === 0 ? 0 : 2)} fps${v.variableFrameRate ? ' (variable)' : ''}` : '';
    rows.push(['Video', `${v.displayWidth}×${v.displayHeight}${rate} · ${v.codec ?? 'unknown codec'}${v.decodable ? '' : ' (cannot be decoded here)'}`]);
  }
  const a = probe.audio;
  rows.push([
    'Audio',
    a ? `${a.codec ?? 'unknown codec'} · ${a.sampleRate / 1000} kHz · ${a.channels === 1 ? 'mono' : `${a.channels} channels`}${a.decodable ? '' : ' (cannot be decoded here)'}` : 'none',
  ]);
  const uses = mediaUses(probe);
  if (uses.cutShort) rows.push(['Readable', `the first ${formatClock(uses.readableSeconds)} (the file is incomplete)`]);
  return rows;
}
