/**
 * Registers the app-shell service worker (public/app-shell-sw.js) so the full page opens offline
 * after one visit. Only the app page calls this: a page embedding the widget owns its own origin's
 * service worker. Skipped in development, where Vite serves unbundled modules.
 */
export async function registerAppShell(): Promise<ServiceWorkerRegistration | null> {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register(new URL('app-shell-sw.js', document.baseURI), { scope: './' });
  } catch {
    // Offline support is a bonus: a page served where workers are not allowed still works online.
    return null;
  }
}
