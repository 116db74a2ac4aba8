/**
 * ONNX Runtime Web's WASM set-up, the same in every worker that runs it: its runtime files come
 * from the app's own server (never a CDN), and it uses threads only where the page is
 * cross-origin isolated (SharedArrayBuffer needs it; elsewhere ONNX Runtime would warn and fall back).
 */
import type { Env } from 'onnxruntime-web';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortCpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortCpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import type { ModelDevice } from '../registry';

/** ONNX Runtime's own default halves the cores, which leaves a 2-core machine one thread. */
const MAX_THREADS = 4;

/** Threads for this worker: `requested` (or all cores up to 4) when isolated, else 1. */
export function wasmThreads(requested?: number): number {
  if (!self.crossOriginIsolated) return 1;
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  return Math.max(1, Math.min(requested ?? MAX_THREADS, cores, MAX_THREADS));
}

/**
 * Applies the set-up to ONNX Runtime's WASM flags. Thread counts take effect only before the
 * worker's first inference session.
 */
export function configureOnnxWasm(wasm: Env.WebAssemblyFlags, threads?: number): void {
  wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href, mjs: new URL(ortMjsUrl, self.location.href).href };
  wasm.numThreads = wasmThreads(threads);
}

/**
 * A worker whose models run on WASM only loads ONNX Runtime's CPU build (14 MB) instead of the one
 * with WebGPU (27 MB): half the download, and half the WebAssembly that V8 compiles in the
 * background while the agent works. Takes effect only before the worker's first session.
 */
export function useOnnxBuildFor(wasm: Env.WebAssemblyFlags, device: ModelDevice): void {
  if (device !== 'wasm') return;
  wasm.wasmPaths = { wasm: new URL(ortCpuWasmUrl, self.location.href).href, mjs: new URL(ortCpuMjsUrl, self.location.href).href };
}
