/**
 * The stack as production runs it, for the benches that start their own: the compiled build,
 * `NODE_ENV=production` with the secrets and settings production insists on, the simulated
 * payment provider (told that no money is meant to move), and the bench's own overrides.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { startStack, type RunningStack } from "../scripts/processStack";

export interface ProductionStackOptions {
  /** The secret the router signs subgraph calls with; a bench that calls a subgraph itself signs with it too. */
  routerSigningSecret: string;
  admin: { email: string; password: string };
  /** Where the notifications service sends mail (a sink of the bench's own, or a closed port). */
  smtpUrl: string;
  /** The bench's own settings, over the production ones. */
  env?: NodeJS.ProcessEnv;
  nodeArgs?: readonly string[];
}

export async function startProductionStack(stackId: string, options: ProductionStackOptions): Promise<RunningStack> {
  const { privateKey } = generateKeyPairSync("ed25519");
  return startStack(stackId, {
    runtime: "dist",
    env: {
      ...process.env,
      NODE_ENV: "production",
      JWT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      SECRET_SEALING_KEY: randomBytes(32).toString("base64"),
      // Production refuses the simulated provider unless told that no money is meant to move.
      PAYMENT_PROVIDER: "simulated",
      PAYMENT_SIMULATED_IN_PRODUCTION: "true",
      // Production refuses the development secret and CORS for any origin.
      ROUTER_SIGNING_SECRET: options.routerSigningSecret,
      CORS_ORIGINS: "https://bench.example",
      LOG_LEVEL: "warn",
      ADMIN_EMAIL: options.admin.email,
      ADMIN_PASSWORD: options.admin.password,
      SMTP_URL: options.smtpUrl,
      // One load generator is one address: the per-client limit would measure itself.
      RATE_LIMIT_REQUESTS: "0",
      ...options.env,
    },
    readyTimeoutMs: Number(process.env.BENCH_READY_TIMEOUT_SECONDS ?? 300) * 1000,
    // BENCH_OUTPUT=inherit: the services' own output (warnings and errors at LOG_LEVEL=warn).
    output: process.env.BENCH_OUTPUT === "inherit" ? "inherit" : "ignore",
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
  });
}
