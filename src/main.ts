import { isAppError } from './errors';
import { MediaClient, type MediaFile } from './media/media-client';
import type { Frame, ProbeResult } from './media/types';
import { formatBytes, formatClock } from './ui/format';

/**
 * The page as it stands: drop or pick a video, see it play with its details and a skim of the
 * whole video with clickable timestamps. The agent UI (issue 5) builds on this.
 */
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const drop = byId<HTMLLabelElement>('drop');
const input = byId<HTMLInputElement>('file');
const status = byId<HTMLParagraphElement>('status');
const player = byId<HTMLVideoElement>('player');
const details = byId<HTMLDListElement>('details');
const skimList = byId<HTMLOListElement>('skim');

const media = new MediaClient();
let current: { file: MediaFile; url: string; abort: AbortController } | null = null;

function say(message: string, isError = false): void {
  status.textContent = message;
  status.classList.toggle('error', isError);
}

function showDetails(name: string, probe: ProbeResult): void {
  const rows: Array<[string, string]> = [
    ['File', `${name} (${formatBytes(probe.fileSize)}, ${probe.container})`],
    ['Duration', formatClock(probe.durationSeconds)],
  ];
  if (probe.video) {
    const v = probe.video;
    rows.push([
      'Video',
      `${v.codecString ?? v.codec ?? 'unknown'} · ${v.displayWidth}×${v.displayHeight} · ` +
        `${v.frameRate.toFixed(2)} fps${v.variableFrameRate ? ' (variable)' : ''}${v.decodable ? '' : ' · cannot be decoded here'}`,
    ]);
  }
  rows.push(['Audio', probe.audio ? `${probe.audio.codec ?? 'unknown'} · ${probe.audio.sampleRate} Hz · ${probe.audio.channels} ch` : 'none']);
  details.replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
  details.hidden = false;
}

function showSkim(frames: Frame[]): void {
  skimList.replaceChildren(
    ...frames.map((frame) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.title = `Play from ${formatClock(frame.timestamp)}`;
      const canvas = document.createElement('canvas');
      canvas.width = frame.width;
      canvas.height = frame.height;
      if (frame.image instanceof ImageBitmap) {
        canvas.getContext('bitmaprenderer')?.transferFromImageBitmap(frame.image);
      }
      const label = document.createElement('span');
      label.textContent = formatClock(frame.timestamp);
      button.append(canvas, label);
      button.addEventListener('click', () => {
        player.currentTime = frame.timestamp;
        void player.play().catch(() => undefined);
      });
      item.append(button);
      return item;
    }),
  );
}

async function openFile(file: File): Promise<void> {
  if (current) {
    current.abort.abort();
    URL.revokeObjectURL(current.url);
    void current.file.close();
    current = null;
  }
  skimList.replaceChildren();
  details.hidden = true;
  player.hidden = true;
  say(`Reading ${file.name}…`);
  try {
    const opened = await media.open(file);
    const abort = new AbortController();
    const url = URL.createObjectURL(file);
    current = { file: opened, url, abort };
    showDetails(file.name, opened.probe);
    player.src = url;
    player.hidden = false;
    if (!opened.probe.video) {
      say('This file has audio only.');
      return;
    }
    say('Skimming the whole video…');
    const started = performance.now();
    const frames = await opened.skim({ mode: opened.probe.durationSeconds > 120 ? 'fast' : 'exact' }, { signal: abort.signal });
    if (current?.file !== opened) return;
    showSkim(frames);
    say(`Skimmed ${frames.length} frames in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } catch (error) {
    if (isAppError(error) && error.code === 'cancelled') return;
    say(isAppError(error) ? error.message : 'This file could not be opened.', true);
  }
}

input.addEventListener('change', () => {
  const file = input.files?.[0];
  if (file) void openFile(file);
  input.value = '';
});

// Drops are accepted anywhere on the page, not only on the drop zone.
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('dragging');
});
document.addEventListener('dragleave', () => drop.classList.remove('dragging'));
document.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) void openFile(file);
});
