/**
 * A Vite plugin for the browser tests: `/__faulty/<fault>/<path>` serves the project's file at
 * `<path>`, except that every `.onnx` file fails the way a model download fails in the field.
 * `cut` sends half of the file and closes the connection; `500` answers a server error.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

export function faultyFiles(): Plugin {
  return {
    name: 'faulty-files',
    configureServer(server) {
      const root = server.config.root;
      server.middlewares.use((request, response, next) => {
        const path = decodeURIComponent(new URL(request.url ?? '/', 'http://dev').pathname);
        const match = /^\/__faulty\/(cut|500)\/(.+)$/.exec(path);
        if (!match) return next();
        const [, fault, relative = ''] = match;
        const file = resolve(root, relative);
        if (!file.startsWith(`${root}${sep}`) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
          response.statusCode = 404;
          response.end();
          return;
        }
        const broken = file.endsWith('.onnx');
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
        // A clean close after half the promised bytes, as a dropped connection leaves it.
        response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.end());
      });
    },
  };
}
