/**
 * Memory of a bench page and of each of its workers, as the page itself can measure it: the
 * page's JS heap (`performance.memory`, Chromium only) and `performance.measureUserAgentSpecificMemory`
 * (cross-origin isolated pages; the dev server sends the headers), which attributes bytes to the
 * page and to each worker by its script URL. Where that is missing the bench falls back on process
 * RSS, which it reads from outside (bench/run.ts).
 */

interface MemoryBreakdown {
  bytes: number;
  attribution: Array<{ url: string; scope: string }>;
  types: string[];
}

interface MemoryMeasurement {
  bytes: number;
  breakdown: MemoryBreakdown[];
}

declare global {
  interface Performance {
    measureUserAgentSpecificMemory?: () => Promise<MemoryMeasurement>;
    memory?: { usedJSHeapSize: number; totalJSHeapSize: number };
  }
}

export interface PageMemory {
  /** The page's used JS heap in MiB (null outside Chromium). */
  pageHeapMiB: number | null;
  /** measureUserAgentSpecificMemory in MiB: everything, the page's own, and per worker (keyed by worker name); null where unavailable. */
  measuredMiB: number | null;
  measuredPageMiB: number | null;
  workersMiB: Record<string, number> | null;
}

const MiB = 2 ** 20;

/** `media`, `whisper`, `vlm`…: the worker's script name without `.worker.ts` and query. */
function workerName(url: string): string {
  const file = new URL(url, location.href).pathname.split('/').pop() ?? url;
  return file.replace(/\.worker\.[jt]s$/, '').replace(/\.[jt]s$/, '');
}

export async function pageMemory(): Promise<PageMemory> {
  const pageHeapMiB = performance.memory ? performance.memory.usedJSHeapSize / MiB : null;
  if (!performance.measureUserAgentSpecificMemory || !crossOriginIsolated) {
    return { pageHeapMiB, measuredMiB: null, measuredPageMiB: null, workersMiB: null };
  }
  const measured = await performance.measureUserAgentSpecificMemory();
  let measuredPage = 0;
  const workers: Record<string, number> = {};
  for (const entry of measured.breakdown) {
    const attribution = entry.attribution[0];
    if (!attribution) continue;
    if (attribution.scope === 'DedicatedWorkerGlobalScope') {
      const name = workerName(attribution.url);
      workers[name] = (workers[name] ?? 0) + entry.bytes / MiB;
    } else {
      measuredPage += entry.bytes / MiB;
    }
  }
  return { pageHeapMiB, measuredMiB: measured.bytes / MiB, measuredPageMiB: measuredPage, workersMiB: workers };
}
