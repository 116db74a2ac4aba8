/**
 * `npx tsx bench/wasm-matmul-forms.ts --dir DIR [--shapes mlp,lmhead] [--forms fp32,fp16w,q8u,q8s,q4,q4acc4]
 *  [--m 1,256,512] [--lmhead-m 1,64] [--threads 1,2] [--min-seconds 2]`: one decoder-sized linear layer, in each
 * form a transformers.js build can hold it (graphs from `bench/make-matmul-forms.py DIR`), timed on
 * ONNX Runtime Web's WASM backend: the package's Node build, which runs the same
 * ort-wasm-simd-threaded.wasm (MLAS compiled to WebAssembly SIMD) as the app's WASM worker, with
 * worker_threads for its thread pool. Prints one JSON line per form, shape, M and thread count
 * (milliseconds per call, median of the timed calls after one warm-up, and the effective GFLOP/s of
 * 2·M·K·N), then a table. Each form and thread count runs in a child process of its own: ONNX
 * Runtime Web takes its thread count once per process, and a WebAssembly heap never shrinks.
 * Not part of `npm test`; hold `flock /work/team/timing.lock` where other jobs share the cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHAPES: Record<string, { k: number; n: number }> = { mlp: { k: 2048, n: 11008 }, lmhead: { k: 2048, n: 151936 } };

interface Row {
  shape: string;
  form: string;
  threads: number;
  m: number;
  msPerCall: number;
  calls: number;
  gflops: number;
  loadSeconds: number;
}

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
}

const list = (text: string) => text.split(',').filter(Boolean);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The child: one graph, one thread count, every M. */
async function child(file: string, shape: string, form: string, threads: number, ms: number[], minSeconds: number): Promise<void> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const { k, n } = SHAPES[shape]!;
  const dataFile = `${file}.data`;
  const started = performance.now();
  const session = await ort.InferenceSession.create(readFileSync(file), {
    executionProviders: ['wasm'],
    ...(existsSync(dataFile) ? { externalData: [{ path: basename(dataFile), data: readFileSync(dataFile) }] } : {}),
  });
  const loadSeconds = (performance.now() - started) / 1000;
  for (const m of ms) {
    const x = new Float32Array(m * k);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i) * 0.5;
    const feeds = { X: new ort.Tensor('float32', x, [1, m, k]) };
    const run = async () => {
      const t0 = performance.now();
      const out = await session.run(feeds);
      const elapsed = performance.now() - t0;
      out.Y!.dispose();
      return elapsed;
    };
    await run(); // warm-up: first-call allocations
    const times: number[] = [];
    let total = 0;
    while (times.length < 3 || total < minSeconds * 1000) {
      const elapsed = await run();
      times.push(elapsed);
      total += elapsed;
      // One slow call is measurement enough.
      if (elapsed > 10_000) break;
    }
    const msPerCall = median(times);
    const row: Row = { shape, form, threads, m, msPerCall: Number(msPerCall.toFixed(2)), calls: times.length, gflops: Number(((2 * m * k * n) / (msPerCall * 1e6)).toFixed(2)), loadSeconds: Number(loadSeconds.toFixed(2)) };
    console.log(JSON.stringify(row));
  }
  await session.release();
}

function parent(args: string[]): void {
  const dir = resolve(option(args, '--dir', ''));
  if (!dir) throw new Error('--dir is required (graphs from bench/make-matmul-forms.py)');
  const shapes = list(option(args, '--shapes', 'mlp,lmhead'));
  const forms = list(option(args, '--forms', 'fp32,fp16w,q8u,q8s,q4,q4acc4'));
  const threadCounts = list(option(args, '--threads', '1,2')).map(Number);
  const mlpMs = option(args, '--m', '1,256,512');
  const lmheadMs = option(args, '--lmhead-m', '1,64');
  const minSeconds = option(args, '--min-seconds', '2');
  const rows: Row[] = [];
  for (const shape of shapes) {
    for (const form of forms) {
      const file = join(dir, `${shape}-${form}.onnx`);
      if (!existsSync(file)) {
        console.error(`${file} is missing: run bench/make-matmul-forms.py ${dir} ${shape}`);
        continue;
      }
      for (const threads of threadCounts) {
        const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', file, shape, form, String(threads), shape === 'lmhead' ? lmheadMs : mlpMs, minSeconds], { encoding: 'utf8', maxBuffer: 1 << 24 });
        for (const line of result.stdout.split('\n').filter((l) => l.startsWith('{'))) {
          console.log(line);
          rows.push(JSON.parse(line) as Row);
        }
        if (result.status !== 0) console.error(`${shape} ${form} threads=${threads} failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      }
    }
  }
  console.log('\n| shape | form | threads | M | ms per call | GFLOP/s |\n|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.shape} | ${r.form} | ${r.threads} | ${r.m} | ${r.msPerCall} | ${r.gflops} |`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, file, shape, form, threads, ms, minSeconds] = args;
  await child(file!, shape!, form!, Number(threads), list(ms!).map(Number), Number(minSeconds));
} else {
  parent(args);
}
