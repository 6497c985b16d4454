import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../scripts/processStack";
import { startProcess, stopAll, waitUntilReady, type ManagedProcess } from "../../scripts/processGroup";
import { projectRoot } from "../../subgraphs/common/projectRoot";

const storefrontDirectory = path.join(projectRoot, "storefront");
const builtEntry = path.join(storefrontDirectory, "dist", "server", "entry-server.mjs");

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the storefront (`npm run storefront:build`) unless its build is newer than every source. */
export function ensureStorefrontBuilt(): void {
  const sources = Math.max(
    newestSource(path.join(storefrontDirectory, "src")),
    statSync(path.join(storefrontDirectory, "index.html")).mtimeMs,
  );
  if (existsSync(builtEntry) && statSync(builtEntry).mtimeMs >= sources) return;
  // A production build, whatever NODE_ENV the caller runs with: under Jest (NODE_ENV=test) Vite
  // would bundle React's development build, a third larger and slower to hydrate.
  const build = spawnSync("npm", ["run", "storefront:build"], {
    cwd: projectRoot,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (build.status !== 0) throw new Error(`storefront build failed:\n${build.stdout}\n${build.stderr}`);
}

export interface RunningStorefront {
  url: string;
  stop(): Promise<void>;
}

/** The built storefront as its own process, in front of a test stack's router. */
export async function startStorefront(routerUrl: string): Promise<RunningStorefront> {
  ensureStorefrontBuilt();
  const port = await freePort();
  const managed: ManagedProcess = startProcess(
    "storefront",
    "storefront/server/main.ts",
    {
      ...process.env,
      // As it runs in production: React's production build renders on the server too (NODE_ENV
      // picks it), so the measured server time is a shop's, not a debug build's.
      NODE_ENV: "production",
      STOREFRONT_RENDER: "built",
      STOREFRONT_PORT: String(port),
      STOREFRONT_HOST: "127.0.0.1",
      ROUTER_URL: routerUrl,
    },
    process.env.TEST_LOG_LEVEL ? "inherit" : "ignore",
  );
  const url = `http://127.0.0.1:${port}`;
  // Generous: beside a starting stack and a browser, a crowded machine needs minutes.
  await waitUntilReady(managed, `${url}/health/ready`, 300_000);
  return { url, stop: () => stopAll([managed]) };
}
