import { spawn } from "node:child_process";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { newTestId } from "../support/testNames";

/** Runs a service entry point to its exit and returns what it printed. */
function runToExit(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", STARTUP_TIMEOUT_SECONDS: "1", PORT: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("a service that cannot start", () => {
  const testId = newTestId();

  it("names the unreachable dependency and its address in one line, without a stack trace", async () => {
    const { code, stderr } = await runToExit("subgraphs/inventory/main.ts", {
      DATABASE_PREFIX: `${testId}_`,
      NATS_NAMESPACE: testId,
      REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("inventory: cannot reach Redis at 127.0.0.1:1: connection refused");
  });

  it("says which database server it cannot reach", async () => {
    const { code, stderr } = await runToExit("subgraphs/orders/main.ts", {
      POSTGRES_URL: "postgres://postgres@127.0.0.1:1",
      NATS_NAMESPACE: testId,
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("orders: cannot reach PostgreSQL at 127.0.0.1:1/commerce_orders: connection refused");
  });

  it("lists every invalid setting at once", async () => {
    const { code, stderr } = await runToExit("subgraphs/users/main.ts", { NATS_URL: "nowhere", PORT: "99999" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^users: invalid configuration:/);
    expect(stderr).toMatch(/NATS_URL/);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
