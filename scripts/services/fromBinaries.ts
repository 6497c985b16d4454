import { execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { InfrastructureName } from "./infrastructure";

const run = promisify(execFile);

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
export const fromBinaries: Record<InfrastructureName, { available(): boolean; start(port: number): Promise<void> }> = {
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
