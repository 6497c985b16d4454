/**
 * `npm test`'s checks before jest: both type checks, eslint and prettier, two at a time. Each is
 * single-threaded, so on a machine with two cores (CI's) two lanes take about half the time of
 * running them one after another; the longest (eslint) starts first. Each check's output is
 * printed whole once it ends; the run fails when any check fails, after all have ended.
 *
 *   CHECKS_CONCURRENCY   checks run at once (default 2)
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../subgraphs/common/projectRoot";

interface Check {
  name: string;
  /** A binary of node_modules/.bin. */
  command: string;
  args: string[];
}

/** Longest first (measured: eslint ≈ 90 s of CPU, tsc ≈ 37 s, prettier ≈ 27 s, the storefront's tsc ≈ 14 s). */
const checks: Check[] = [
  { name: "eslint", command: "eslint", args: ["."] },
  { name: "typecheck", command: "tsc", args: ["--noEmit", "-p", "tsconfig.json"] },
  { name: "prettier", command: "prettier", args: ["--check", "."] },
  { name: "typecheck storefront", command: "tsc", args: ["--noEmit", "-p", "storefront/tsconfig.json"] },
];

function run(check: Check): Promise<boolean> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(projectRoot, "node_modules", ".bin", check.command), check.args, {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    const done = (ok: boolean, why: string) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const text = Buffer.concat(output).toString().trimEnd();
      process.stdout.write(`\n> ${check.name}: ${why} in ${seconds}s\n${text ? `${text}\n` : ""}`);
      resolve(ok);
    };
    child.on("error", (error) => done(false, `could not start (${error.message})`));
    child.on("close", (code, signal) => done(code === 0, code === 0 ? "passed" : `failed (${signal ?? code})`));
  });
}

async function main(): Promise<void> {
  const concurrency = Math.max(1, Number(process.env.CHECKS_CONCURRENCY ?? 2) || 1);
  const failed: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < checks.length) {
      const check = checks[next++]!;
      if (!(await run(check))) failed.push(check.name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, checks.length) }, lane));
  if (failed.length) {
    console.error(`\nchecks failed: ${failed.join(", ")}`);
    process.exit(1);
  }
  console.log(`\nchecks passed: ${checks.map((check) => check.name).join(", ")}`);
}

void main();
