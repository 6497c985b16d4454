import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { projectRoot } from "../subgraphs/common/projectRoot";

/**
 * The storefront's performance budget, measured and written down, not asserted: how long the
 * server takes to render catalog pages (its Server-Timing, the router's answers included), and
 * how much JavaScript and CSS a shopper downloads (gzip). The browser test calls it with the
 * storefront it started, so the numbers are those of the last run of `npm test`.
 */
export interface StorefrontMeasures {
  pages: Array<{ path: string; label: string; medianMs: number; p90Ms: number; samples: number }>;
  /** `onDemand`: a chunk no page loads at first (index.html does not name it), fetched when needed (Stripe's card form). */
  assets: Array<{ file: string; bytes: number; gzipBytes: number; onDemand: boolean }>;
}

const clientBuild = path.join(projectRoot, "storefront", "dist", "client");
const clientAssets = path.join(clientBuild, "assets");

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

export async function measureStorefront(
  storefrontUrl: string,
  pages: Array<{ path: string; label: string }>,
  samples = 20,
): Promise<StorefrontMeasures> {
  const measured = [];
  for (const page of pages) {
    const durations: number[] = [];
    // The first request warms the router's persisted-query cache and the process; it is not counted.
    for (let index = 0; index <= samples; index += 1) {
      const response = await fetch(`${storefrontUrl}${page.path}`);
      await response.text();
      const timing = /render;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "");
      if (index > 0 && timing?.[1]) durations.push(Number(timing[1]));
    }
    durations.sort((a, b) => a - b);
    measured.push({
      ...page,
      medianMs: percentile(durations, 0.5),
      p90Ms: percentile(durations, 0.9),
      samples: durations.length,
    });
  }
  const shell = readFileSync(path.join(clientBuild, "index.html"), "utf8");
  const assets = readdirSync(clientAssets)
    .filter((file) => file.endsWith(".js") || file.endsWith(".css"))
    .map((file) => {
      const content = readFileSync(path.join(clientAssets, file));
      return {
        file,
        bytes: content.length,
        gzipBytes: gzipSync(content, { level: 9 }).length,
        onDemand: !shell.includes(`/assets/${file}`),
      };
    });
  return { pages: measured, assets };
}

const begin = "<!-- storefront-benchmark:begin -->";
const end = "<!-- storefront-benchmark:end -->";
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Replaces the storefront section of docs/benchmark.md with these measures. */
export function writeStorefrontMeasures(
  measures: StorefrontMeasures,
  file = path.join(projectRoot, "docs", "benchmark.md"),
) {
  const js = measures.assets.filter((asset) => asset.file.endsWith(".js"));
  const firstJs = js.filter((asset) => !asset.onDemand);
  const section = [
    begin,
    "",
    `Measured by \`test/browser/storefront.test.ts\` (bench/storefront.ts) on ${new Date().toISOString().slice(0, 10)}, against the`,
    "test stack (seven tsx processes on this machine's two cores, shared with whatever else runs): the",
    "storefront's own Server-Timing, so the router's answers to the page's queries are included; the",
    "first request of each page (persisted-query registration, cold caches) is left out. The router's public",
    "response cache is off (`PUBLIC_RESPONSE_CACHE_SECONDS` is 0 by default), so each render asks the subgraphs.",
    "Client size: the files of `npm run storefront:build` (`storefront/dist/client/assets`), gzip level 9, which",
    "is what a browser downloads on its first visit (every page uses the same entry chunk), except the chunks marked",
    "*on demand*: Stripe's card form and Stripe.js's loader, fetched only by a checkout (or an order page awaiting",
    "3-D Secure) in a shop configured for Stripe. Measured, not asserted.",
    "",
    "| catalog page | median server time | p90 | requests |",
    "| --- | ---: | ---: | ---: |",
    ...measures.pages.map(
      (page) =>
        `| ${page.label} (\`${page.path.replace(/[0-9a-f-]{36}/g, "…")}\`) | ${page.medianMs.toFixed(1)} ms | ${page.p90Ms.toFixed(1)} ms | ${page.samples} |`,
    ),
    "",
    "| client asset | size | gzip |",
    "| --- | ---: | ---: |",
    ...measures.assets.map(
      (asset) =>
        `| \`${asset.file.replace(/-[\w-]{8}\./, "-[hash].")}\`${asset.onDemand ? " (on demand)" : ""} | ${kb(asset.bytes)} | ${kb(asset.gzipBytes)} |`,
    ),
    `| **JavaScript of a first visit** | ${kb(firstJs.reduce((sum, asset) => sum + asset.bytes, 0))} | **${kb(firstJs.reduce((sum, asset) => sum + asset.gzipBytes, 0))}** |`,
    `| **all JavaScript** | ${kb(js.reduce((sum, asset) => sum + asset.bytes, 0))} | **${kb(js.reduce((sum, asset) => sum + asset.gzipBytes, 0))}** |`,
    "",
    end,
  ].join("\n");
  const current = readFileSync(file, "utf8");
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + section + current.slice(stop + end.length)
      : `${current.trimEnd()}\n\n## Storefront: catalog page server time and client JS size\n\n${section}\n`;
  writeFileSync(file, next);
}
