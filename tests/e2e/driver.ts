/**
 * One small interface over the two browser engines the end-to-end tests drive: Chromium through
 * Playwright and Firefox (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi. Tests
 * written against `AppPage` run unchanged in both. Selectors are CSS inside `<sage-agent>`'s
 * shadow root, found by the page itself so both engines resolve them the same way.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium';
import { SCREENSHOTS } from './browser';

export type Engine = 'chromium' | 'firefox';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The engine a project's engine-shared files (`*.engines.test.ts`) run in. */
    engine: Engine;
  }
}

/** Debian's Firefox ESR (`apt-get install firefox-esr`); `FIREFOX_PATH` chooses another build. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/lib/firefox-esr/firefox-esr';

/**
 * Firefox's own traffic off, and every request beyond 127.0.0.1 sent to a closed port (Firefox
 * never proxies localhost), so nothing leaves the machine.
 */
const FIREFOX_PREFS: Record<string, unknown> = {
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.share_proxy_settings': true,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'app.update.enabled': false,
};

export interface AppPage {
  readonly engine: Engine;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page; both must survive serialisation. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Plain JavaScript run in the page, e.g. SCRIPTED_ORCHESTRATOR. */
  run(script: string): Promise<void>;
  /** Text of the first match inside the widget, '' when there is none. */
  text(selector: string): Promise<string>;
  count(selector: string): Promise<number>;
  click(selector: string): Promise<void>;
  /** Types into a field as a person would, then presses Enter. */
  typeAndEnter(selector: string, text: string): Promise<void>;
  /** Sets the file of the widget's file input, as a person picking a file does. */
  upload(selector: string, path: string): Promise<void>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
  /** Console errors and uncaught page errors seen so far. */
  readonly problems: string[];
}

interface Browser {
  newPage(): Promise<AppPage>;
  close(): Promise<void>;
}

/** In-page lookup of `selector` inside `<sage-agent>` (shadow root, else light DOM). */
const FIND = String.raw`((selector) => {
  const host = document.querySelector('sage-agent');
  const root = host && host.shadowRoot ? host.shadowRoot : document;
  return [...root.querySelectorAll(selector)];
})`;

function widgetText(selector: string): string {
  return `${FIND}(${JSON.stringify(selector)}).map((el) => el.textContent)[0] ?? ''`;
}

async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  return {
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.route('**/*', (route) => (/^(http:\/\/127\.0\.0\.1(:\d+)?\/|blob:|data:)/.test(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      const widget = (selector: string) => page.locator(`sage-agent ${selector}`).first();
      return {
        engine: 'chromium',
        problems,
        goto: async (url) => void (await page.goto(url)),
        reload: async () => void (await page.reload()),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        run: async (script) => void (await page.evaluate(script)),
        text: (selector) => page.evaluate<string>(widgetText(selector)),
        count: (selector) => page.evaluate<number>(`${FIND}(${JSON.stringify(selector)}).length`),
        click: (selector) => widget(selector).click(),
        async typeAndEnter(selector, text) {
          await widget(selector).fill(text);
          await widget(selector).press('Enter');
        },
        upload: (selector, path) => widget(selector).setInputFiles(path),
        async screenshot(name) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOTS}/${name}-chromium.png`, fullPage: true });
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox(): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
    defaultViewport: { width: 1280, height: 900 },
  });
  return {
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`));
      const handle = async (selector: string) => {
        const found = await page.evaluateHandle(`${FIND}(${JSON.stringify(selector)})[0] ?? null`);
        const element = found.asElement();
        if (!element) throw new Error(`no ${selector} in the widget`);
        return element as unknown as import('puppeteer-core').ElementHandle<HTMLInputElement>;
      };
      return {
        engine: 'firefox',
        problems,
        goto: async (url) => void (await page.goto(url)),
        reload: async () => void (await page.reload()),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg),
        run: async (script) => void (await page.evaluate(script)),
        text: async (selector) => String(await page.evaluate(widgetText(selector))),
        count: async (selector) => Number(await page.evaluate(`${FIND}(${JSON.stringify(selector)}).length`)),
        click: async (selector) => (await handle(selector)).click(),
        async typeAndEnter(selector, text) {
          const field = await handle(selector);
          // As Playwright's fill does: wait until the field takes input (it is disabled while a file opens).
          await page.waitForFunction((el) => !el.disabled, { timeout: 60_000, polling: 250 }, field);
          await field.evaluate((el) => (el.value = ''));
          await field.type(text);
          const typed = await field.evaluate((el) => el.value);
          if (typed !== text) throw new Error(`typed "${text}" but the field holds "${typed}"`);
          await field.press('Enter');
        },
        upload: async (selector, path) => (await handle(selector)).uploadFile(resolve(path)),
        async screenshot(name) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOTS}/${name}-firefox.png`, fullPage: true });
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** The engine's browser for every test of the calling file: launched before them, closed after. */
export function engineForFile(engine: Engine): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = engine === 'firefox' ? await launchFirefox() : await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error(`${engine} is not running yet`);
    return browser;
  };
}
