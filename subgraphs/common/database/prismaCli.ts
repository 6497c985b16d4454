import { spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../projectRoot";

export interface PrismaCliResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs the Prisma CLI for one service's schema. The CLI is a separate process because the
 * WebAssembly schema engine is only reachable through it; it takes about a second.
 */
export function runPrismaCli(service: string, args: readonly string[], databaseUrl?: string): Promise<PrismaCliResult> {
  const cli = require.resolve("prisma/build/index.js");
  return new Promise((resolve, reject) => {
    const preload = path.join(projectRoot, "prisma", "cli-preload.cjs");
    const child = spawn(process.execPath, ["--require", preload, cli, ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        PRISMA_SERVICE: service,
        // The CLI's update check calls out to the internet, which these machines cannot reach.
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`prisma ${args.join(" ")} (${service}) exited with ${code}: ${(stderr || stdout).trim()}`));
    });
  });
}
