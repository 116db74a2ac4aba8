/**
 * The small text tier behind speech-only answers, and the test both it and the VLM's "Ready" note
 * use: whether a model's files load here with no download (a local folder, served by this site, or
 * kept in this browser's caches).
 */
import type { TextGenerator } from '../core/contracts';
import { AppError, isCancelled, toAppError } from '../core/errors';
import { loadFailure } from '../models/engines/engine-errors';
import { workerSource } from '../models/engines/vlm-client';
import { costFor, isMlcDtype, modelsForRole, type DtypeSpec, type ModelDevice, type ModelEntry } from '../models/registry';
import { isServed, type ServedModels } from '../models/served-models';
import type { DeviceCapabilities } from '../models/capabilities';
import type { CachedModels, EngineFactories, EngineListener } from './engine-contracts';
import { LazySlot, type Loading } from './lazy-slot';

/** Where the text tier's models come from, as the engines know it. */
export interface ModelSite {
  capabilities: () => Promise<DeviceCapabilities>;
  siteRoot: () => string;
  /** The models this site serves itself. */
  served: () => Promise<ServedModels>;
}

/** The device and dtype `entry` would load here when that needs no download, else null. */
export async function loadsWithoutDownload(
  site: ModelSite,
  entry: ModelEntry,
  cached: CachedModels,
): Promise<{ device: ModelDevice; dtype: DtypeSpec } | null> {
  const { webgpu } = await site.capabilities();
  const device: ModelDevice = entry.devices.webgpu && webgpu.available ? 'webgpu' : 'wasm';
  const cost = costFor(entry, device, webgpu.available && webgpu.shaderF16);
  if (!cost) return null;
  const plan = { device, dtype: cost.dtype };
  if (entry.source.kind === 'local' || isServed(await site.served(), entry, cost.dtype)) return plan;
  const kept = (await cached()).find((model) => model.id === entry.id);
  // Files of other dtypes may be kept too; most of this dtype's bytes is as close as the caches tell.
  return kept !== undefined && kept.bytes >= 0.9 * cost.downloadMB * 2 ** 20 ? plan : null;
}

export class TextTier {
  private readonly slot = new LazySlot<TextGenerator>();

  constructor(
    private readonly site: ModelSite,
    private readonly listener: EngineListener,
    private readonly factories: EngineFactories,
  ) {}

  /**
   * The first text writer whose files load here with no download, loaded on first use and kept;
   * undefined when there is none or it fails to load (the answer is then the passages).
   */
  async writer(cached: CachedModels): Promise<{ label: string; model: TextGenerator } | undefined> {
    for (const entry of modelsForRole('text-writer').filter((candidate) => candidate.status !== 'test-only')) {
      const plan = await loadsWithoutDownload(this.site, entry, cached);
      if (!plan) continue;
      try {
        const model = await this.slot.get(`${entry.id} ${JSON.stringify(plan.dtype)}`, () => this.start(entry, plan));
        return { label: entry.label, model };
      } catch (error) {
        if (isCancelled(error)) throw error;
        this.listener.notice(`${toAppError(error).message} The answer lists the passages instead.`);
        return undefined;
      }
    }
    return undefined;
  }

  /** Ends the loaded writer's worker. */
  dispose(): Promise<void> {
    return this.slot.clear();
  }

  private start(entry: ModelEntry, plan: { device: ModelDevice; dtype: DtypeSpec }): Loading<TextGenerator> {
    const { device, dtype } = plan;
    let client: ReturnType<EngineFactories['text']> | null = null;
    const ready = (async () => {
      if (isMlcDtype(dtype)) throw new AppError('internal', `${entry.label} is not a transformers.js model.`);
      const source = workerSource(entry, dtype, this.site.siteRoot(), await this.site.served());
      const loading = this.factories.text({ source, device, dtype, label: entry.label });
      client = loading;
      try {
        await loading.load((progress) => this.listener.progress('writer', entry.label, progress));
      } finally {
        this.listener.progress('writer', entry.label, null);
      }
      return loading;
    })().catch((error: unknown) => {
      void client?.dispose().catch(() => {});
      throw loadFailure(error, { label: entry.label });
    });
    return { ready, dispose: () => ready.then((loaded) => loaded.dispose(), () => {}) };
  }
}
