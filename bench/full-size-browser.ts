/**
 * `npx tsx bench/full-size-browser.ts --model DIR [--device wasm|webgpu] [--dtype q4|q4f16] [--id REGISTRY_ID]
 *  [--prefill N[,N...]] [--steps N] [--no-vision] [--parts C]`: a full-size VLM build (models/export's transformers.js layout, e.g. from
 * `npm run export:full`) in headless Chromium through the real VLM worker, served by the dev server
 * as a deployment serves a pulled model (MODELS_DIR pointing at a folder that links DIR under the
 * registry entry's repository). Prints one JSON line per step: the adapter's limits, the load (time,
 * Chromium's RSS and CPU seconds, or the error the page would show), one temporal patch through the
 * vision encoder (unless --no-vision), and a text prefill of each N tokens (64 by default) and the
 * per-token decode time over `--steps` further tokens (4; 0 times the prefill alone). With `--parts C`,
 * instead of vision and decoding: each N-token prompt's next-token logits from one decoder run, then
 * (the model loaded again) from a prefill in C-token parts, and how far apart they are. Not part of `npm test`: a
 * 3 GB build takes many minutes and several GiB (run it under `flock /work/team/bigmem.lock`
 * where other heavy jobs share the machine). `--device webgpu` uses Chromium's software adapter.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'vite';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARG } from '../scripts/chromium';
import { chromiumCpuSeconds, chromiumRssMiB, reniceTree, taggedRootPid } from './chromium-processes';
import { readManifest } from '../scripts/served-models';

/** The registry entry whose shape each exported family stands for, when `--id` is not given. */
const ENTRY_FOR_FAMILY: Record<string, string> = { qwen3_vl: 'sage-mm-qwen3-vl-4b', qwen2_5_vl: 'qwen2.5-vl-3b-instruct' };

function option(args: string[], name: string, fallback?: string): string {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

/**
 * A models folder holding only this build, under the repository the registry entry names: a link
 * to each of its files, so the build itself is never written to. A build without
 * generation_config.json (a random-weight checkpoint has none; a release does) gets one written
 * from config.json's token ids, since a deployment serves a model only with every file
 * transformers.js asks for (scripts/served-models.ts).
 */
function linkedModelsFolder(modelDir: string, repo: string): { modelsDir: string; links: string[] } {
  const modelsDir = mkdtempSync(join(tmpdir(), 'sage-full-size-'));
  const folder = join(modelsDir, repo);
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const links: string[] = [];
  for (const name of [...readdirSync(modelDir), ...readdirSync(join(modelDir, 'onnx')).map((file) => join('onnx', file))]) {
    if (!statSync(join(modelDir, name)).isFile()) continue;
    symlinkSync(join(modelDir, name), join(folder, name));
    links.push(join(folder, name));
  }
  if (!existsSync(join(modelDir, 'generation_config.json'))) {
    const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { bos_token_id?: number; eos_token_id?: number };
    writeFileSync(join(folder, 'generation_config.json'), JSON.stringify({ bos_token_id: config.bos_token_id, eos_token_id: config.eos_token_id }));
    console.error(`${modelDir} has no generation_config.json; serving one with config.json's bos and eos token ids`);
  }
  return { modelsDir, links };
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const modelDir = resolve(option(args, '--model'));
  const device = option(args, '--device', 'wasm');
  if (device !== 'wasm' && device !== 'webgpu') throw new Error('--device is wasm or webgpu');
  const dtype = option(args, '--dtype', 'q4');
  if (dtype !== 'q4' && dtype !== 'q4f16') throw new Error('--dtype is q4 or q4f16');
  const family = (JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { model_type: string }).model_type;
  const id = option(args, '--id', ENTRY_FOR_FAMILY[family]);
  const prefills = option(args, '--prefill', '64').split(',').map(Number);
  const steps = Number(option(args, '--steps', '4'));
  const parts = args.includes('--parts') ? Number(option(args, '--parts')) : null;
  const repo = readManifest(process.cwd()).models[id]?.repo;
  if (!repo) throw new Error(`${id} is not in models/manifest.json`);

  const { modelsDir, links } = linkedModelsFolder(modelDir, repo);
  process.env.MODELS_DIR = modelsDir;
  const server = await createServer({ server: { host: '127.0.0.1', port: 0, hmr: false, watch: null }, logLevel: 'error' });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  const tag = `--sage-full-size-bench=${process.pid}-${Date.now()}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, tag, ...(device === 'webgpu' ? [WEBGPU_ARG] : [])],
  });
  const browserPid = taggedRootPid(tag);
  let peak = chromiumRssMiB(browserPid);
  const niceness = getPriority();
  const sampler = setInterval(() => {
    peak = Math.max(peak, chromiumRssMiB(browserPid));
    reniceTree(browserPid, niceness);
  }, 500);
  const base = { model: modelDir, id, device, dtype };
  const report = (step: string, started: { cpu: number }, values: Record<string, unknown>) => {
    const rss = chromiumRssMiB(browserPid);
    peak = Math.max(peak, rss);
    console.log(JSON.stringify({ step, ...base, ...values, cpu_s: round(chromiumCpuSeconds(browserPid) - started.cpu), rss_GiB: round(rss / 1024, 2), rss_peak_GiB: round(peak / 1024, 2), date: new Date().toISOString() }));
  };
  const mark = () => ({ cpu: chromiumCpuSeconds(browserPid) });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.error(`[page] ${message.text()}`));
    page.on('crash', () => console.error('[page] crashed'));
    await page.goto(`http://127.0.0.1:${address.port}/bench/full-size.html`);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 120_000 });
    const capabilities = await page.evaluate(() => window.fullSizeBench.capabilities());
    report('capabilities', mark(), { capabilities });

    const load = async (chunk?: number) => {
      const started = mark();
      const loaded = await page.evaluate(([i, d, t, c]) => window.fullSizeBench.load(i, d, t, c), [id, device, dtype, chunk] as const);
      report('load', started, { ...loaded, seconds: round(loaded.seconds), afterDownloadSeconds: round(loaded.afterDownloadSeconds), ...(chunk ? { prefillChunkTokens: chunk } : {}) });
      return loaded.ok;
    };
    if (parts !== null) {
      await compareParts(prefills, parts);
      return;
    }
    if (!(await load())) return;
    let started = mark();

    if (!args.includes('--no-vision')) {
      started = mark();
      const vision = await page.evaluate(() => window.fullSizeBench.vision());
      report('vision_one_temporal_patch', started, vision.ok ? { ...vision, visionSeconds: round(vision.visionSeconds, 2) } : vision);
    }

    for (const prefill of prefills) {
      started = mark();
      const generated = await page.evaluate(([i, n, s]) => window.fullSizeBench.prefillAndDecode(i, n, s), [id, prefill, steps] as const);
      const figures = generated.ok
        ? { ...generated, prefillSeconds: round(generated.prefillSeconds, 2), decodeSecondsPerToken: generated.decodeSecondsPerToken === null ? null : round(generated.decodeSecondsPerToken, 2) }
        : generated;
      report('prefill_and_decode', started, { ...figures, note: 'cpu_s covers the generations of 1 and of 1 + steps tokens: two prefills and the steps' });
      if (!generated.ok) break;
    }
    await page.evaluate(() => window.fullSizeBench.dispose());

    /** One run against parts: the model loaded for each, in turn, so only one is in memory. */
    async function compareParts(lengths: readonly number[], chunk: number): Promise<void> {
      const results = [];
      for (const chunkTokens of [undefined, chunk]) {
        if (!(await load(chunkTokens))) return;
        const runs = [];
        for (const tokens of lengths) {
          const started = mark();
          const result = await page.evaluate(([i, n]) => window.fullSizeBench.nextToken(i, n), [id, tokens] as const);
          report('next_token', started, result.ok ? { promptTokens: result.promptTokens, seconds: round(result.seconds), prefillRuns: result.prefillRuns, greedy: result.greedy } : result);
          runs.push(result);
        }
        results.push(runs);
        await page.evaluate(() => window.fullSizeBench.dispose());
      }
      const [whole, inParts] = results as [typeof results[0], typeof results[0]];
      whole.forEach((one, index) => {
        const other = inParts[index]!;
        if (!one.ok || !other.ok) return;
        const difference = one.logits.reduce((worst, value, i) => Math.max(worst, Math.abs(value - other.logits[i]!)), 0);
        const scale = one.logits.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
        console.log(JSON.stringify({ step: 'parts_against_one_run', ...base, promptTokens: one.promptTokens, chunk, prefillRuns: [one.prefillRuns, other.prefillRuns], maxLogitDifference: difference, largestLogit: scale, sameGreedy: one.greedy[0] === other.greedy[0], date: new Date().toISOString() }));
      });
    }
  } finally {
    clearInterval(sampler);
    await browser.close();
    await server.close();
    // The links first, one by one: nothing may ever reach into the build they point at.
    for (const link of links) unlinkSync(link);
    rmSync(modelsDir, { recursive: true, force: true });
  }
}

await main();
