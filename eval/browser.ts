/**
 * The browser a run drives: the system Chromium, headless (no GPU: models run on WASM), or a
 * Chrome the person started with `--remote-debugging-port`, reached over CDP, which runs models
 * on their real GPU. In that one the run uses the browser's own profile, so models it downloads
 * stay in its cache for the next run, and it is left running at the end.
 */
import { chromium, type BrowserContext } from 'playwright';
import { CHROMIUM_ARGS } from '../scripts/chromium';

export type BrowserChoice = { kind: 'launch'; executablePath: string } | { kind: 'cdp'; url: string };

export interface RunBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function openBrowser(choice: BrowserChoice): Promise<RunBrowser> {
  if (choice.kind === 'cdp') {
    const browser = await chromium.connectOverCDP(choice.url);
    const context = browser.contexts()[0] ?? (await browser.newContext());
    // For a browser connected over CDP, close() disconnects and leaves it running.
    return { context, close: () => browser.close() };
  }
  const browser = await chromium.launch({
    executablePath: choice.executablePath,
    args: [...CHROMIUM_ARGS],
  });
  const context = await browser.newContext();
  return { context, close: () => browser.close() };
}
