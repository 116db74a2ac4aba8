/**
 * Keeps a model usable through GPU failures. A generation that loses the GPU device gets a fresh
 * engine on the same device and is retried once; if that fails too, the next device in the list
 * (WASM) takes over, with a notice. Loading failures come back as AppErrors (engine-errors.ts;
 * an engine's worker has usually classified them already); engines whose next device costs no
 * download (speech) may also move there when loading on the first one fails. Works for any engine with `generate` and `dispose` (the VLM
 * client, the speech recogniser), created through a factory so failures can be injected at this
 * boundary.
 */
import { AppError, isAppError, isCancelled } from '../../core/errors';
import type { ModelDevice } from '../registry';
import { isGpuLost, loadFailure } from './engine-errors';

export interface DisposableGenerator<Request, Result = string> {
  generate(request: Request): Promise<Result>;
  dispose(): Promise<void>;
}

type ResultOf<Engine> = Engine extends DisposableGenerator<never, infer Result> ? Result : never;

export interface ResilientEngineOptions<Engine> {
  /** Creates and loads an engine on `device`; rejects when it cannot. */
  create(device: ModelDevice): Promise<Engine>;
  /** Devices to use, best first, e.g. ['webgpu', 'wasm']. Only the first is loaded up front. */
  devices: readonly ModelDevice[];
  /** For messages ("Qwen2.5-VL 3B Instruct ..."). */
  label: string;
  /** Told when the engine had to move to another device, for a notice in the page. */
  onNotice?: (notice: EngineNotice) => void;
  /** When loading on a device fails, load on the next one instead of failing (with a notice). */
  fallBackOnLoadFailure?: boolean;
}

export interface EngineNotice {
  kind: 'recreated' | 'moved-device';
  device: ModelDevice;
  message: string;
}

export class ResilientEngine<Request, Engine extends DisposableGenerator<Request, unknown>> {
  private engine: Engine | null = null;
  private deviceIndex = 0;

  constructor(private readonly options: ResilientEngineOptions<Engine>) {
    if (options.devices.length === 0) throw new Error('ResilientEngine needs at least one device');
  }

  get device(): ModelDevice {
    return this.options.devices[this.deviceIndex] ?? 'wasm';
  }

  /** Loads on the first device (and, when the engine opts in, on later ones if that fails). */
  async load(): Promise<void> {
    for (;;) {
      try {
        this.engine = await this.createOn(this.device);
        return;
      } catch (error) {
        const last = this.deviceIndex + 1 >= this.options.devices.length;
        if (!this.options.fallBackOnLoadFailure || last || isCancelled(error)) throw error;
        this.deviceIndex += 1;
        this.options.onNotice?.({
          kind: 'moved-device',
          device: this.device,
          message: `${this.options.label} could not start on the graphics card, so it runs on the CPU (WASM), which is slower.`,
        });
      }
    }
  }

  async generate(request: Request): Promise<ResultOf<Engine>> {
    const engine = this.engine ?? (await this.createOn(this.device));
    this.engine = engine;
    try {
      return (await engine.generate(request)) as ResultOf<Engine>;
    } catch (error) {
      // A stalled engine has ended its worker: the next call loads a fresh one.
      if (isAppError(error) && error.code === 'stalled') await this.discard();
      if (!isGpuLost(error) || isCancelled(error)) throw error;
      return this.recover(request);
    }
  }

  async dispose(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    await engine?.dispose();
  }

  /** Same device once more with a fresh engine, then each later device in turn. */
  private async recover(request: Request): Promise<ResultOf<Engine>> {
    await this.discard();
    const { onNotice, label } = this.options;
    try {
      this.engine = await this.createOn(this.device);
      onNotice?.({ kind: 'recreated', device: this.device, message: `The graphics card was reset; ${label} was reloaded and the step is being retried.` });
      return (await this.engine.generate(request)) as ResultOf<Engine>;
    } catch (error) {
      if (!isGpuLost(error) || isCancelled(error)) throw error;
      await this.discard();
    }
    while (this.deviceIndex + 1 < this.options.devices.length) {
      this.deviceIndex += 1;
      try {
        this.engine = await this.createOn(this.device);
      } catch (error) {
        await this.discard();
        if (this.deviceIndex + 1 < this.options.devices.length) continue;
        throw error;
      }
      onNotice?.({
        kind: 'moved-device',
        device: this.device,
        message: `The graphics card failed twice, so ${label} now runs on the CPU (WASM), which is much slower.`,
      });
      return (await this.engine.generate(request)) as ResultOf<Engine>;
    }
    throw new AppError('gpu-lost', `The graphics card keeps failing while ${label} runs. Reload the page to try again.`);
  }

  private async createOn(device: ModelDevice): Promise<Engine> {
    try {
      return await this.options.create(device);
    } catch (error) {
      throw loadFailure(error, { label: this.options.label });
    }
  }

  /** Drops a broken engine; disposing one whose device is gone may fail, which changes nothing. */
  private async discard(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    await engine?.dispose().catch(() => {});
  }
}
