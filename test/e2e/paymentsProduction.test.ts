import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { projectRoot } from "../../subgraphs/common/projectRoot";

/** Runs the payments service's entry point to its exit, as a container would start it. */
function runPayments(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "subgraphs/payments/main.ts"], {
      cwd: projectRoot,
      env: {
        ...process.env,
        LOG_LEVEL: "info",
        STARTUP_TIMEOUT_SECONDS: "1",
        PORT: "0",
        // Production wants a router credential of its own; these tests are about payments' settings.
        ROUTER_SIGNING_SECRET: randomBytes(32).toString("hex"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("payments in production", () => {
  it("refuses to start with the simulated provider, saying why and what to set", async () => {
    const { code, output } = await runPayments({ NODE_ENV: "production", PAYMENT_PROVIDER: "simulated" });
    expect(code).toBe(1);
    expect(output).toMatch(/^payments: invalid configuration:/);
    expect(output).toMatch(/PAYMENT_PROVIDER: the simulated provider takes no money and is refused in production/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it("never prints Stripe's secrets, even when it cannot start", async () => {
    const secretKey = "sk_live_doNotPrintThisKey123";
    const webhookSecret = "whsec_doNotPrintThisSecret456";
    const { code, output } = await runPayments({
      NODE_ENV: "production",
      PAYMENT_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      // Started far enough to log, then stopped by an unreachable dependency.
      REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(code).toBe(1);
    expect(output).toMatch(/cannot reach/);
    expect(output).not.toContain(secretKey);
    expect(output).not.toContain(webhookSecret);
  });
});
