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

/**
 * Records every layout shift of a page from its first paint (Chromium's Layout Instability API,
 * the one Core Web Vitals' CLS adds up), except those right after the shopper's own input, with
 * the elements that moved. Plain script: the tests compile without the DOM's types.
 */
const layoutShiftRecorder = `(() => {
  const shifts = [];
  const name = (node) => {
    if (!node || node.nodeType !== 1) return node ? node.nodeName : "(removed)";
    const id = node.id ? "#" + node.id : "";
    const classes = typeof node.className === "string" && node.className.trim() ? "." + node.className.trim().split(/\\s+/).join(".") : "";
    const testId = node.getAttribute("data-testid") ? "[data-testid=" + node.getAttribute("data-testid") + "]" : "";
    return node.tagName.toLowerCase() + id + classes + testId;
  };
  const keep = (entries) => {
    for (const entry of entries)
      if (!entry.hadRecentInput)
        shifts.push({
          value: entry.value,
          sources: (entry.sources || []).map((source) => {
            const text = source.node && source.node.textContent ? " \\"" + source.node.textContent.trim().slice(0, 40) + "\\"" : "";
            const at = (rect) => Math.round(rect.x) + "," + Math.round(rect.y) + " " + Math.round(rect.width) + "x" + Math.round(rect.height);
            return name(source.node) + text + " from " + at(source.previousRect) + " to " + at(source.currentRect);
          }),
        });
  };
  try {
    const observer = new PerformanceObserver((list) => keep(list.getEntries()));
    observer.observe({ type: "layout-shift", buffered: true });
    globalThis.__layoutShifts = () => (keep(observer.takeRecords()), shifts);
  } catch {
    globalThis.__layoutShifts = () => shifts;
  }
})();`;

/** A layout shift the page made: how much of the viewport moved (its CLS share), and what moved (element "text" from x,y wxh to x,y wxh). */
export interface LayoutShift {
  value: number;
  sources: string[];
}

/** A fresh browser context (its own storage) whose product pictures are answered locally. */
export async function newShopperContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
  await context.route(
    (url) => url.hostname.endsWith(".example") || url.hostname.endsWith(".example.com"),
    (route) => route.fulfill({ status: 200, contentType: "image/svg+xml", body: pictureSvg }),
  );
  await context.addInitScript({ content: layoutShiftRecorder });
  return context;
}

/**
 * The layout shifts of the page since it was loaded (`page.goto`), after the next two frames are
 * painted, so that what the last render moved is counted.
 */
export function layoutShifts(page: Page): Promise<LayoutShift[]> {
  return page.evaluate(
    () =>
      new Promise<LayoutShift[]>((resolve) => {
        const scope = globalThis as unknown as {
          requestAnimationFrame(callback: () => void): void;
          __layoutShifts?: () => LayoutShift[];
        };
        scope.requestAnimationFrame(() =>
          scope.requestAnimationFrame(() => resolve(scope.__layoutShifts ? scope.__layoutShifts() : [])),
        );
      }),
  );
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
