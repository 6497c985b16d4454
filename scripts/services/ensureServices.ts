import { execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { addressOf, infrastructure, infrastructureNames, type InfrastructureName } from "./infrastructure";
import { describeMissing, planServices, type Findings, type Plan } from "./plan";

const run = promisify(execFile);

/** What cannot be brought up, said plainly: one line for each server. */
export class ServicesUnavailableError extends Error {
  override name = "ServicesUnavailableError";
}

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

async function waitForPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
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

function findBinary(command: string): string | undefined {
  const folders = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  return folders.map((folder) => path.join(folder, command)).find((file) => existsSync(file));
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Starts a server in the background, detached from this process, so it outlives it as a daemon would. */
function detached(command: string, args: string[]): void {
  spawn(command, args, { detached: true, stdio: "ignore" }).unref();
}

/** How each server is started from the machine's binaries (the commands of docs/toolchain.md). */
const fromBinaries: Record<InfrastructureName, { available(): boolean; start(port: number): Promise<void> }> = {
  postgres: {
    available: () => !!findBinary("pg_ctlcluster") && existsSync("/etc/postgresql"),
    async start() {
      const [version] = readdirSync("/etc/postgresql").sort().reverse();
      if (!version) throw new Error("no cluster under /etc/postgresql");
      await run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"], { timeout: 60_000 });
    },
  },
  redis: {
    available: () => !!findBinary("redis-server"),
    async start(port) {
      const args = [
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
        "--save",
        "",
        "--appendonly",
        "no",
      ];
      await run("redis-server", args, { timeout: 30_000 });
    },
  },
  nats: {
    available: () => !!findBinary("nats-server"),
    async start(port) {
      const store = writable("/var/lib/nats-server") ? "/var/lib/nats-server" : path.join(tmpdir(), "commerce-nats");
      mkdirSync(store, { recursive: true });
      const args = ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store];
      const daemon = findBinary("start-stop-daemon");
      if (daemon) {
        const exec = findBinary("nats-server")!;
        await run(daemon, ["--start", "--oknodo", "--background", "--exec", exec, "--", ...args], { timeout: 30_000 });
      } else detached("nats-server", args);
    },
  },
  mailpit: {
    available: () => !!findBinary("mailpit"),
    async start(port) {
      detached("mailpit", ["--smtp", `127.0.0.1:${port}`, "--listen", "127.0.0.1:8025"]);
    },
  },
};

async function look(env: NodeJS.ProcessEnv): Promise<Findings> {
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

/**
 * Makes sure the servers in `wanted` answer: those that do not are started with Docker Compose
 * where a Docker engine runs, else from the machine's binaries. Throws ServicesUnavailableError,
 * saying what is missing and what to do, when a required one can be started neither way.
 * `npm start`, the test run (jest's global setup) and CI all come through here.
 */
export async function ensureServices(
  wanted: readonly InfrastructureName[],
  options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<Plan> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const where = (name: InfrastructureName) => {
    const { host, port } = addressOf(infrastructure[name], env);
    return `${host}:${port} (${infrastructure[name].urlVariable})`;
  };
  const plan = planServices(wanted, await look(env));
  if (plan.missing.length > 0) throw new ServicesUnavailableError(describeMissing(plan, where));

  if (plan.compose.length > 0) {
    log(`starting ${plan.compose.map((name) => infrastructure[name].label).join(", ")} with docker compose`);
    try {
      await run("docker", ["compose", "up", "--detach", "--wait", ...plan.compose], {
        cwd: projectRoot,
        timeout: 300_000,
      });
    } catch (error) {
      const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split("\n").slice(-3);
      throw new ServicesUnavailableError(`docker compose could not start them:\n${detail.join("\n")}`);
    }
  }
  for (const name of plan.binaries) {
    log(`starting ${infrastructure[name].label}`);
    try {
      await fromBinaries[name].start(addressOf(infrastructure[name], env).port);
    } catch (error) {
      throw new ServicesUnavailableError(
        `${infrastructure[name].label} could not be started: ${(error as Error).message}`,
      );
    }
  }
  for (const name of [...plan.compose, ...plan.binaries]) {
    const { host, port } = addressOf(infrastructure[name], env);
    if (!(await waitForPort(host, port, 30_000)))
      throw new ServicesUnavailableError(`${infrastructure[name].label} did not come up at ${where(name)}.`);
  }
  for (const name of plan.without)
    log(
      `${infrastructure[name].label} does not answer at ${where(name)}: ${infrastructure[name].otherwise ?? "going on without it"}`,
    );
  return plan;
}
