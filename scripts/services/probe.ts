import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { fromBinaries } from "./fromBinaries";
import { addressOf, infrastructure, infrastructureNames, type InfrastructureName } from "./infrastructure";
import type { Findings } from "./plan";

const run = promisify(execFile);

function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ""), port, timeout: timeoutMs });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(host, port, 500)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** A running Docker engine, not only the `docker` command (which answers without one). */
async function dockerEngineRuns(): Promise<boolean> {
  try {
    const { stdout } = await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 10_000 });
    return stdout.trim().length > 0;
  } catch {
    return false;
  }
}

/** What is running and what could start what is not: the findings the plan is made from. */
export async function lookAround(env: NodeJS.ProcessEnv): Promise<Findings> {
  const each = <T>(value: (name: InfrastructureName) => T) =>
    Object.fromEntries(infrastructureNames.map((name) => [name, value(name)])) as Record<InfrastructureName, T>;
  const addresses = each((name) => addressOf(infrastructure[name], env));
  const reachable = Object.fromEntries(
    await Promise.all(
      infrastructureNames.map(async (name) => [name, await portOpen(addresses[name].host, addresses[name].port)]),
    ),
  ) as Record<InfrastructureName, boolean>;
  const anyDown = Object.values(reachable).some((up) => !up);
  return {
    reachable,
    local: each((name) => addresses[name].local),
    // Asking Docker takes a moment: only when something is down.
    dockerEngine: anyDown && (await dockerEngineRuns()),
    binaries: each((name) => fromBinaries[name].available()),
  };
}
