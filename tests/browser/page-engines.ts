/**
 * The page's engines as the browser tests of failing and stalling model loads drive them: the
 * tiny VLM and Whisper tiny on WASM, each from where the test says, with every failed load kept.
 * Call `disposePageEngines` after each test.
 */
import { AgentEngines } from '../../src/runtime/engines';
import type { EngineModel, LoadState } from '../../src/runtime/engine-contracts';
import type { DeviceCapabilities } from '../../src/models/capabilities';
import { TINY_TEST_VLM_ID } from '../../src/models/registry';
import type { AppError } from '../../src/core/errors';

const WASM_ONLY: DeviceCapabilities = {
  webgpu: { available: false, reason: 'none' },
  deviceMemoryGB: 8,
  crossOriginIsolated: false,
  hardwareConcurrency: 2,
};

let current: AgentEngines | null = null;

/** Frees the engines the last `pageEngines` made, if any. */
export async function disposePageEngines(): Promise<void> {
  await current?.dispose();
  current = null;
}

/** The page's engines with the tiny VLM loaded from `modelSource` and Whisper tiny from `modelBaseUrl`. */
export function pageEngines(settings: { modelSource?: string; modelBaseUrl?: string }): { engines: AgentEngines; failed: Map<EngineModel, AppError> } {
  const failed = new Map<EngineModel, AppError>();
  const engines = new AgentEngines(
    () => ({
      modelId: TINY_TEST_VLM_ID,
      modelSource: settings.modelSource,
      speechId: 'whisper-tiny',
      modelBaseUrl: settings.modelBaseUrl,
      capabilities: async () => WASM_ONLY,
      choice: () => Promise.reject(new Error('the tests name their models')),
    }),
    {
      progress() {},
      loaded(model, state: LoadState) {
        if (state.state === 'failed') failed.set(model, state.error);
      },
      notice() {},
    },
  );
  current = engines;
  return { engines, failed };
}

/** What `promise` rejects with, or null if it resolves. */
export function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}
