import { spawn, type ChildProcess } from "node:child_process";
import { projectRoot } from "../subgraphs/common/projectRoot";

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** How a process runs: TypeScript through tsx (development), or the build in dist/ (as containers do). */
export type Runtime = "tsx" | "dist";

/**
 * Starts one service entry point (`subgraphs/<name>/main.ts`, `router/main.ts`) as its own
 * process, the way its container runs it.
 */
export function startProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  output: "inherit" | "ignore" = "inherit",
  runtime: Runtime = "tsx",
  nodeArgs: readonly string[] = [],
): ManagedProcess {
  const args = [
    ...nodeArgs,
    ...(runtime === "dist" ? [`dist/${entry.replace(/\.ts$/, ".js")}`] : ["--import", "tsx", entry]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env,
    stdio: ["ignore", output, output],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, exited };
}

/** Polls `url` until it answers 200, the process exits, or the deadline passes. */
export async function waitUntilReady(managed: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void managed.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${managed.name} exited with code ${exitCode} before it was ready`);
    try {
      // A loaded machine may take seconds to answer the first probes.
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${managed.name} was not ready at ${url} within ${Math.round(timeoutMs / 1000)}s`);
}

/** Sends SIGTERM to every process and waits for all of them, killing stragglers after the grace period. */
export async function stopAll(processes: readonly ManagedProcess[], graceMs = 15_000): Promise<void> {
  for (const { child } of processes) if (child.exitCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const { child } of processes) if (child.exitCode === null) child.kill("SIGKILL");
  }, graceMs);
  await Promise.all(processes.map((managed) => managed.exited));
  clearTimeout(timer);
}
