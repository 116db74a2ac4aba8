/**
 * WhisperClient when ONNX Runtime's start stalls in its worker (as multi-threaded starts do in
 * Firefox now and then): the worker is ended and the start retried once on a fresh worker with one
 * thread, so the load goes on; a second stall ends the load with the 'stalled' message. The worker
 * is a double that speaks comlink over a MessageChannel; its start never settles when told to.
 */
import * as Comlink from 'comlink';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WhisperClient } from '../../src/models/engines/whisper-client';
import { setStallLimits } from '../../src/core/watchdog';
import type { WhisperLoadOptions, WhisperWorkerApi } from '../../src/models/engines/whisper-types';

interface Spawned {
  starts: Array<number | undefined>;
  loads: number;
  terminated: boolean;
}

let spawned: Spawned[] = [];
/** Which spawned workers (by order) stall in `startRuntime`. */
let stallingWorkers = new Set<number>();
const realWorker = globalThis.Worker;

class FakeWorker {
  private readonly port: MessagePort;
  constructor() {
    const index = spawned.length;
    const record: Spawned = { starts: [], loads: 0, terminated: false };
    spawned.push(record);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const api: WhisperWorkerApi = {
      startRuntime(_device, threads) {
        record.starts.push(threads);
        return stallingWorkers.has(index) ? new Promise(() => {}) : Promise.resolve({ threads: threads ?? 2 });
      },
      async load(options) {
        record.loads += 1;
        return { device: options.device, loadSeconds: 0, threads: record.starts.at(-1) ?? 2 };
      },
      transcribe: () => Promise.reject(new Error('not in this test')),
      cancel() {},
      async dispose() {},
    };
    Comlink.expose(api, port2);
    port1.start();
  }
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.port.postMessage(message, transfer ?? []);
  }
  addEventListener(type: string, listener: EventListener): void {
    this.port.addEventListener(type, listener);
  }
  removeEventListener(type: string, listener: EventListener): void {
    this.port.removeEventListener(type, listener);
  }
  terminate(): void {
    const record = spawned.find((_, i) => this === workers[i]);
    if (record) record.terminated = true;
    this.port.close();
  }
}
const workers: FakeWorker[] = [];

const OPTIONS: WhisperLoadOptions = { model: 'Xenova/whisper-base', modelBaseUrl: 'http://localhost/models/', device: 'wasm', label: 'Whisper base' };

beforeEach(() => {
  spawned = [];
  workers.length = 0;
  globalThis.Worker = class extends FakeWorker {
    constructor() {
      super();
      workers.push(this);
    }
  } as unknown as typeof Worker;
  setStallLimits({ startSeconds: 0.2 });
});
afterEach(() => {
  globalThis.Worker = realWorker;
  setStallLimits();
});

describe('WhisperClient when ONNX Runtime does not start', () => {
  it('retries the start once on a fresh worker with one thread, and loads there', async () => {
    stallingWorkers = new Set([0]);
    const client = new WhisperClient();
    const result = await client.load(OPTIONS);
    expect(result.threads).toBe(1);
    expect(spawned.map((w) => ({ starts: w.starts, loads: w.loads, terminated: w.terminated }))).toEqual([
      { starts: [undefined], loads: 0, terminated: true },
      { starts: [1], loads: 1, terminated: false },
    ]);
  });

  it('fails with the stalled message when the one-thread start stalls too', async () => {
    stallingWorkers = new Set([0, 1]);
    const client = new WhisperClient();
    await expect(client.load(OPTIONS)).rejects.toMatchObject({
      code: 'stalled',
      message: expect.stringMatching(/^Whisper base stopped loading in this browser: nothing happened for 0\.2 s/),
      detail: 'no progress for 0.2 s; last: starting ONNX Runtime; wasm, 1 threads',
    });
    expect(spawned).toHaveLength(3);
    expect(spawned.slice(0, 2).every((w) => w.terminated)).toBe(true);
  });

  it('starts once, with the threads asked for, when nothing stalls', async () => {
    stallingWorkers = new Set();
    const client = new WhisperClient();
    expect(await client.load({ ...OPTIONS, threads: 2 })).toMatchObject({ threads: 2 });
    expect(spawned).toHaveLength(1);
    expect(spawned[0]!.starts).toEqual([2]);
  });
});
