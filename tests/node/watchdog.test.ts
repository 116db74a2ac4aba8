/** The progress watchdog (src/core/watchdog.ts) and the 'stalled' message it fails with. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchProgress } from '../../src/core/watchdog';
import { stallFailure } from '../../src/models/engines/engine-errors';
import { AppError } from '../../src/core/errors';

const stalled = (idle: number) => stallFailure(idle, { label: 'Whisper base', phase: 'load', lastProgress: '76 MB of 76 MB downloaded' });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A job whose progress and end the test drives. */
function controlled<T>(): { work: (advance: () => void) => Promise<T>; advance: () => void; finish: (value: T) => void; fail: (error: Error) => void } {
  let advance = () => {};
  let finish: (value: T) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const work = (a: () => void) => {
    advance = a;
    return new Promise<T>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { work, advance: () => advance(), finish: (v) => finish(v), fail: (e) => fail(e) };
}

describe('watchProgress', () => {
  it('fails a job with no progress for the bound, precisely, and ends it once', async () => {
    const job = controlled<string>();
    const onStall = vi.fn();
    const watched = watchProgress({ idleSeconds: 10, stalled, onStall }, job.work);
    const outcome = watched.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(onStall).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'stalled',
      message:
        'Whisper base stopped loading in this browser: nothing happened for 10 s, so the load was ended. Try again; files already downloaded are kept. If it stops again, reload the page.',
      detail: 'no progress for 10 s; last: 76 MB of 76 MB downloaded',
    });
    expect(onStall).toHaveBeenCalledTimes(1);
    // The job finishing afterwards changes nothing.
    job.finish('late');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(onStall).toHaveBeenCalledTimes(1);
  });

  it('keeps a job alive while it advances, however long it takes', async () => {
    const job = controlled<string>();
    const onStall = vi.fn();
    const watched = watchProgress({ idleSeconds: 10, stalled, onStall }, job.work);
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(9_000);
      job.advance();
    }
    job.finish('done');
    await expect(watched).resolves.toBe('done');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(onStall).not.toHaveBeenCalled();
  });

  it('passes a job’s own failure through, synchronous or not', async () => {
    const job = controlled<string>();
    const watched = watchProgress({ idleSeconds: 10, stalled }, job.work);
    job.fail(new Error('broken file'));
    await expect(watched).rejects.toThrow('broken file');
    await expect(
      watchProgress({ idleSeconds: 10, stalled }, () => {
        throw new Error('thrown at once');
      }),
    ).rejects.toThrow('thrown at once');
  });

  it('words a stalled job as a job, not a load', () => {
    expect(stallFailure(120, { label: 'Whisper base', phase: 'run' }).message).toBe(
      'Whisper base stopped working in this browser: nothing happened for 120 s, so the job was ended. Try again; if it stops again, reload the page.',
    );
  });
});
