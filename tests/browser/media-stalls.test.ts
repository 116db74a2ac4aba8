/**
 * Media-worker jobs that stall, injected for real: a test worker (stalling-media.worker.ts) runs
 * the app's MediaService over a file source whose reads never come back. The client's watchdog
 * (its bound lowered to seconds) ends the job with a 'stalled' AppError that says what happened,
 * replaces the worker, and the retry reads the file afresh and works; a job whose reads are slow
 * but keep coming is not ended, however long it takes in all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/core/errors';
import { setStallLimits } from '../../src/core/watchdog';
import { MediaClient } from '../../src/media/media-client';
import { WORKER_FACTORIES } from '../../src/runtime/engine-contracts';
import { Workspace } from '../../src/workspace/workspace';
import { fixtureFile } from './media-helpers';
import { rejection } from './page-engines';

const STALL_SECONDS = 3;

const stallingWorker = () => new Worker(new URL('./stalling-media.worker.ts', import.meta.url), { type: 'module', name: 'stall' });
const stallAfterOpenWorker = () => new Worker(new URL('./stalling-media.worker.ts', import.meta.url), { type: 'module', name: 'stall-after-open' });
const slowWorker = () => new Worker(new URL('./stalling-media.worker.ts', import.meta.url), { type: 'module', name: 'slow' });
const mediaWorker = () => new Worker(new URL('../../workers/media.worker.ts', import.meta.url), { type: 'module', name: 'media' });

/** A client whose first worker is `first` and whose replacements are the app's media worker. */
function clientWith(first: () => Worker): MediaClient {
  let spawned = 0;
  return new MediaClient({ spawn: () => (spawned++ === 0 ? first() : mediaWorker()) });
}

const stallMessage = (name: string, doing: string, retry: string) =>
  `Reading “${name}” stopped while ${doing}: nothing came from the file for ${STALL_SECONDS} s, so the reading was ended. ${retry} If it stops again, the file may be on a drive or online folder that is not answering: copy it to this device and open the copy.`;

const clients: MediaClient[] = [];
const workspaces: Workspace[] = [];

afterEach(async () => {
  setStallLimits();
  for (const client of clients.splice(0)) client.dispose();
  for (const workspace of workspaces.splice(0)) await workspace.dispose();
});

describe('media jobs that stall', () => {
  it('a skim whose reads stop: stalled, said so, and the retry on the same file skims', async () => {
    setStallLimits({ mediaJobSeconds: STALL_SECONDS });
    const client = clientWith(stallAfterOpenWorker);
    clients.push(client);
    const file = await client.open(await fixtureFile('speech.mp4'));
    const error = await rejection(file.skim({ count: 4 }));
    expect(error).toMatchObject({ code: 'stalled', message: stallMessage('speech.mp4', 'skimming it', 'Open the file again to retry.') });
    // The retry: the file is opened again on a fresh worker, and the skim comes back whole.
    const frames = await file.skim({ count: 4 });
    expect(frames).toHaveLength(4);
    for (const frame of frames) if (frame.image instanceof ImageBitmap) frame.image.close();
    expect((await file.stats()).liveFrames).toBe(0);
  });

  it('decoding audio whose reads stop: stalled, said so, and the retry decodes', async () => {
    setStallLimits({ mediaJobSeconds: STALL_SECONDS });
    const client = clientWith(stallAfterOpenWorker);
    clients.push(client);
    const file = await client.open(await fixtureFile('speech.mp4'));
    const error = await rejection(file.audio({ start: 5, end: 12 }));
    expect(error).toMatchObject({ code: 'stalled', message: stallMessage('speech.mp4', 'decoding its sound', 'Try again.') });
    expect((await file.audio({ start: 5, end: 12 })).length).toBe(112_000);
  });

  it('slow reads that keep coming are progress: an open longer than the bound is not ended', async () => {
    setStallLimits({ mediaJobSeconds: STALL_SECONDS });
    const client = new MediaClient({ spawn: slowWorker });
    clients.push(client);
    const start = performance.now();
    const file = await client.open(await fixtureFile('speech.mp4'));
    // The premise: the open as a whole outlasted the bound; only the gaps between its reads were shorter.
    expect(performance.now() - start).toBeGreaterThan(2 * STALL_SECONDS * 1000);
    expect(file.probe.durationSeconds).toBeGreaterThan(10);
  });
});

describe('the page when a file stops answering', () => {
  function workspaceWith(first: () => Worker): Workspace {
    const workspace = new Workspace({ factories: { ...WORKER_FACTORIES, media: () => clientWith(first) } });
    workspaces.push(workspace);
    return workspace;
  }

  it('an open that stalls shows the message, claims no work, and opening again works', async () => {
    setStallLimits({ mediaJobSeconds: STALL_SECONDS });
    const workspace = workspaceWith(stallingWorker);
    const errors: AppError[] = [];
    workspace.on('error', ({ error }) => errors.push(error));
    const file = await fixtureFile('speech.mp4');
    await workspace.openFile(file, file.name);
    expect(errors.map((error) => error.message)).toEqual([stallMessage('speech.mp4', 'opening it', 'Open the file again to retry.')]);
    expect(workspace.state).toMatchObject({ video: null, status: '', progress: [], alert: { code: 'stalled' } });

    await workspace.openFile(file, file.name);
    await until(workspace, () => /^Ready/.test(workspace.state.status));
    expect(workspace.state.status).toMatch(/^Ready: skimmed \d+ frames/);
    expect(workspace.state.askable).toBe(true);
  });

  it('a skim that stalls says so in the status line, the speech still answers, and opening again skims', async () => {
    setStallLimits({ mediaJobSeconds: STALL_SECONDS });
    const workspace = workspaceWith(stallAfterOpenWorker);
    const file = await fixtureFile('speech.mp4');
    await workspace.openFile(file, file.name);
    await until(workspace, () => !workspace.state.progress.some((row) => row.id === 'skim'));
    expect(workspace.state.status).toBe(`The video could not be skimmed: ${stallMessage('speech.mp4', 'skimming it', 'Open the file again to retry.')} Questions use its speech.`);
    expect(workspace.state.askable).toBe(true);

    await workspace.openFile(file, file.name);
    await until(workspace, () => /^Ready/.test(workspace.state.status));
    expect(workspace.state.status).toMatch(/^Ready: skimmed \d+ frames/);
  });
});

function until(workspace: Workspace, condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (condition()) return resolve();
    const stop = workspace.on('change', () => {
      if (!condition()) return;
      stop();
      resolve();
    });
  });
}
