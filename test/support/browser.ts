import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { projectRoot } from "../../subgraphs/common/projectRoot";

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Chromium without a window, a sandbox, a GPU or any traffic of its own (no QUIC, no component
 * updates, no sync, no background requests). Playwright gives every launch a fresh, temporary
 * --user-data-dir of its own and removes it at close; each test then opens a new context.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath}: install it with "apt-get install -y chromium" (.ci/run does)`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A tile standing in for product pictures, whose (made-up) image host is outside this machine. */
const pictureSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400"><rect width="400" height="400" fill="#d9dee5"/><circle cx="200" cy="170" r="70" fill="#b7c0cc"/><rect x="90" y="270" width="220" height="40" rx="8" fill="#b7c0cc"/></svg>`;

/** A fresh browser context (its own storage) whose product pictures are answered locally. */
export async function newShopperContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
  await context.route(
    (url) => url.hostname.endsWith(".example") || url.hostname.endsWith(".example.com"),
    (route) => route.fulfill({ status: 200, contentType: "image/svg+xml", body: pictureSvg }),
  );
  return context;
}

export const screenshotDirectory = path.join(projectRoot, "docs", "screenshots");

/** Saves a screenshot of the page for the README (docs/screenshots/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDirectory, { recursive: true });
  await page.screenshot({
    path: path.join(screenshotDirectory, `${name}.png`),
    fullPage: true,
    animations: "disabled",
  });
}

/** The page's localStorage, typed here since the tests compile without the DOM's types. */
interface PageGlobals {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/** What the page keeps in localStorage under a key; null when nothing. */
export function storedItem(page: Page, key: string): Promise<string | null> {
  return page.evaluate((name) => (globalThis as unknown as PageGlobals).localStorage.getItem(name), key);
}

/** Puts a value into the page's localStorage (its origin's), as the app itself would. */
export async function storeItem(page: Page, key: string, value: string): Promise<void> {
  await page.evaluate(([name, content]) => (globalThis as unknown as PageGlobals).localStorage.setItem(name, content), [
    key,
    value,
  ] as const);
}
