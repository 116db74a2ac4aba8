import { describe, expect, it } from 'vitest';
import { cancelOnAbort, untilAborted } from '../../../src/core/cancellation';

describe('cancelOnAbort', () => {
  it('calls cancel once when the signal aborts while the work runs, and not after it has settled', async () => {
    const controller = new AbortController();
    let cancels = 0;
    let finish = (_: string): void => {};
    const running = cancelOnAbort(controller.signal, () => cancels++, () => new Promise<string>((resolve) => (finish = resolve)));
    controller.abort();
    controller.abort();
    finish('done');
    await expect(running).resolves.toBe('done');
    expect(cancels).toBe(1);
    const later = new AbortController();
    await cancelOnAbort(later.signal, () => cancels++, async () => 'quick');
    later.abort();
    expect(cancels).toBe(1);
  });

  it('does not start the work when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let started = false;
    await expect(cancelOnAbort(controller.signal, () => {}, async () => (started = true))).rejects.toMatchObject({ code: 'cancelled' });
    expect(started).toBe(false);
  });

  it('with untilAborted, rejects at once on abort though the work never ends', async () => {
    const controller = new AbortController();
    const never = new Promise<string>(() => {});
    let cancelled = false;
    const running = cancelOnAbort(controller.signal, () => (cancelled = true), () => untilAborted(never, controller.signal));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect(cancelled).toBe(true);
  });

  it('without a signal just runs the work', async () => {
    await expect(cancelOnAbort(undefined, () => {}, async () => 7)).resolves.toBe(7);
  });
});
