/*
 * App-shell service worker: after one visit the page opens offline.
 * - Pages and other same-origin files: network first, falling back to the cached copy, so a new
 *   deployment is picked up whenever the network is there.
 * - Hashed build assets and the model files we serve ourselves (assets/, models/): cache first;
 *   their names change when their content does, and models are large. The list of served models
 *   (models/served.json) is the exception: a new deployment may serve other models.
 * Cross-origin requests (Hub downloads) are left alone: the model engines keep their own caches.
 * Every same-origin response it hands out carries the cross-origin isolation headers, so on hosts
 * that cannot set headers the page is isolated from its second load on, and ONNX Runtime's WASM
 * runs with threads.
 */
const CACHE = 'sage-app-shell-v1';
const SCOPE = new URL(self.registration.scope);
const IMMUTABLE = [new URL('assets/', SCOPE).pathname, new URL('models/', SCOPE).pathname];
const SERVED_LIST = new URL('models/served.json', SCOPE).pathname;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([SCOPE.href, new URL('index.html', SCOPE).href]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('sage-app-shell-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== SCOPE.origin || request.headers.has('range')) return;
  const immutable = url.pathname !== SERVED_LIST && IMMUTABLE.some((prefix) => url.pathname.startsWith(prefix));
  event.respondWith((immutable ? cacheFirst(request) : networkFirst(request)).then(isolated));
});

function isolated(response) {
  // Opaque and error responses cannot be rebuilt; a redirect keeps its own headers.
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    throw error;
  }
}
