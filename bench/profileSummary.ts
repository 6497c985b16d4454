/**
 * `npx tsx bench/profileSummary.ts <folder>`: where each service's CPU went, from the V8 profiles
 * `BENCH_CPU_PROFILE_DIR=<folder> npm run bench` writes. For each process: busy CPU time, the
 * share of it spent inside each package (inclusive: a Prisma query counts for @prisma/client and
 * for pg beneath it), and the functions with the most self time.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string | undefined {
  if (!url) return undefined;
  if (url.includes("node_modules/")) {
    const rest = url.split("node_modules/").pop()!;
    return rest.startsWith("@") ? rest.split("/").slice(0, 2).join("/") : rest.split("/")[0];
  }
  const app = /\/dist\/(.+)$/.exec(url)?.[1];
  return app
    ? `app: ${app
        .split("/")
        .slice(0, app.startsWith("subgraphs/") ? 3 : 2)
        .join("/")}`
    : undefined;
}

function serviceOf(profile: CpuProfile): string {
  for (const node of profile.nodes) {
    const match = /dist\/(?:subgraphs\/(\w+)|(router))\/main\.js$/.exec(node.callFrame.url);
    if (match) return match[1] ?? match[2]!;
  }
  return "unknown";
}

function summarize(profile: CpuProfile, top: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  let busy = 0;
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(idle)") continue;
    busy += time;
    const name = `${frame.functionName || "(anonymous)"} ${packageOf(frame.url) ?? (frame.url || "native")}`;
    self.set(name, (self.get(name) ?? 0) + time);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const owner = packageOf(byId.get(current)!.callFrame.url);
      if (owner) seen.add(owner);
    }
    for (const owner of seen) inclusive.set(owner, (inclusive.get(owner) ?? 0) + time);
  }
  const share = (time: number) => `${((time / busy) * 100).toFixed(1).padStart(5)}%`;
  const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `busy CPU: ${(busy / 1e6).toFixed(1)} s`,
    "inside each package (inclusive):",
    ...ranked(inclusive).map(([name, time]) => `  ${share(time)} ${name}`),
    "most self time:",
    ...ranked(self).map(([name, time]) => `  ${share(time)} ${name}`),
  ];
}

const folder = process.argv[2];
if (!folder) {
  console.error("usage: npx tsx bench/profileSummary.ts <folder of .cpuprofile files>");
  process.exit(2);
}
for (const file of readdirSync(folder)
  .filter((name) => name.endsWith(".cpuprofile"))
  .sort()) {
  const profile = JSON.parse(readFileSync(path.join(folder, file), "utf8")) as CpuProfile;
  console.log(`\n## ${serviceOf(profile)} (${file})`);
  for (const line of summarize(profile, Number(process.argv[3] ?? 12))) console.log(line);
}
