/**
 * The note added to "Ready" when the vision model is not stored: what the first question will
 * download at this connection's speed, or (offline) that questions use the speech.
 */
import type { AgentEngines } from '../runtime/engines';
import type { CachedModels } from '../runtime/engine-contracts';
import { visionStatusNote } from './question-run';

/** What the browser says of its connection: online or not, and its estimated downlink (Chromium) in Mbit/s. */
function connection(): { online: boolean; downlinkMbps: number | undefined } {
  const nav = globalThis.navigator as (Navigator & { connection?: { downlink?: number } }) | undefined;
  return { online: nav?.onLine ?? true, downlinkMbps: nav?.connection?.downlink };
}

/** The note for "Ready", or null when the vision model loads without a download (or none is needed). */
export async function readyVisionNote(engines: AgentEngines, cachedModels: CachedModels): Promise<string | null> {
  const [facts, stored] = await Promise.all([engines.visionFacts(false), engines.vlmStored(cachedModels)]);
  const { online, downlinkMbps } = connection();
  return visionStatusNote(facts.model, stored, online, downlinkMbps);
}
