/**
 * A Vite plugin for the browser tests: `/__faulty/<fault>/<path>` serves the project's file at
 * `<path>`, except that every `.onnx` file fails the way a model download fails in the field.
 * `cut` sends half of the file and closes the connection; `500` answers a server error;
 * `stall` sends half of the file and then nothing more (the connection stays open, as a stalled
 * load looks), until the test asks for `/__faulty/release/<folder>`: files under that folder are
 * then sent whole. (A per-request rule would not do: transformers.js may ask for a file more than
 * once in one load, and only the real download must stall.)
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

/** How long a stalled response is held open before the server drops it (the tests' watchdogs fire long before). */
const STALL_HOLD_MS = 60_000;

export function faultyFiles(): Plugin {
  const released = new Set<string>();
  return {
    name: 'faulty-files',
    configureServer(server) {
      const root = server.config.root;
      const held = new Set<ServerResponse>();
      server.httpServer?.on('close', () => held.forEach((response) => response.socket?.destroy()));
      server.middlewares.use((request, response, next) => {
        const path = decodeURIComponent(new URL(request.url ?? '/', 'http://dev').pathname);
        const release = /^\/__faulty\/release\/(.+)$/.exec(path);
        if (release) {
          released.add(resolve(root, release[1] ?? ''));
          response.end();
          return;
        }
        const match = /^\/__faulty\/(cut|500|stall)\/(.+)$/.exec(path);
        if (!match) return next();
        const [, fault, relative = ''] = match;
        const file = resolve(root, relative);
        if (!file.startsWith(`${root}${sep}`) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
          response.statusCode = 404;
          response.end();
          return;
        }
        const broken = file.endsWith('.onnx') && !(fault === 'stall' && [...released].some((folder) => file.startsWith(`${folder}${sep}`)));
        if (broken && fault === '500') {
          response.statusCode = 500;
          response.end('Internal Server Error');
          return;
        }
        const body = readFileSync(file);
        response.setHeader('content-length', body.length);
        if (!broken) {
          response.end(body);
          return;
        }
        const half = body.subarray(0, Math.floor(body.length / 2));
        if (fault === 'stall') {
          held.add(response);
          response.write(half, () => setTimeout(() => response.socket?.destroy(), STALL_HOLD_MS).unref());
          return;
        }
        // A clean close after half the promised bytes, as a dropped connection leaves it.
        response.write(half, () => response.socket?.end());
      });
    },
  };
}
