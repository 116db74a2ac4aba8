/**
 * Where the app's `models/` folder is served from. One answer for every client: a host's
 * `modelBaseUrl`, else the folder of the widget's own script in a build, else the dev server's root.
 */

/** The folder that holds the app's `models/`: `modelBaseUrl` when a host gives one. */
export function modelSiteRoot(modelBaseUrl: string | undefined): string {
  return new URL('./', modelBaseUrl ?? defaultSiteRoot()).href;
}

/**
 * The folder of this module in a build (the library entry sits next to `models/`), the server
 * root in development.
 */
function defaultSiteRoot(): string {
  // Through a variable: Vite rewrites `new URL('literal', import.meta.url)` as an asset import.
  const here = import.meta.url;
  return import.meta.env.DEV ? new URL('/', self.location.origin).href : new URL('./', here).href;
}
