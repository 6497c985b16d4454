/**
 * `npx tsx bench/httpOverhead.ts`: the CPU a small GraphQL request costs the server that answers
 * it, through the router (which asks the products subgraph) and straight to the products
 * subgraph (signed as the router signs). Starts the stack from the compiled build (`npm run
 * build` first) on databases of its own, sends HTTP_BENCH_REQUESTS (2000) requests to each
 * target over keep-alive connections, HTTP_BENCH_CONCURRENCY (4) at a time, and reports each
 * process's CPU (from /proc) per request.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { startStack } from "../scripts/processStack";
import { signRouterRequest } from "../subgraphs/common/auth/routerCredential";
import { sampleProcess } from "./processStats";

const requests = Number(process.env.HTTP_BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.HTTP_BENCH_CONCURRENCY ?? 4);
const query = JSON.stringify({ query: "query Categories { categories { id name } }" });

async function run(send: () => Promise<void>, count: number): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left -= 1;
        await send();
      }
    }),
  );
}

async function main(): Promise<void> {
  const secret = randomBytes(32).toString("hex");
  const { privateKey } = generateKeyPairSync("ed25519");
  const stack = await startStack(`httpbench${process.pid}`, {
    runtime: "dist",
    env: {
      ...process.env,
      NODE_ENV: "production",
      JWT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      SECRET_SEALING_KEY: randomBytes(32).toString("base64"),
      PAYMENT_PROVIDER: "simulated",
      PAYMENT_SIMULATED_IN_PRODUCTION: "true",
      ROUTER_SIGNING_SECRET: secret,
      CORS_ORIGINS: "https://bench.example",
      LOG_LEVEL: "warn",
      ADMIN_EMAIL: "admin@bench.example",
      ADMIN_PASSWORD: randomBytes(12).toString("hex"),
      SMTP_URL: "smtp://127.0.0.1:9",
      RATE_LIMIT_REQUESTS: "0",
      ROUTER_WORKERS: "1",
      PUBLIC_RESPONSE_CACHE_SECONDS: "2",
    },
    readyTimeoutMs: 300_000,
    output: process.env.HTTP_BENCH_OUTPUT === "inherit" ? "inherit" : "ignore",
  });
  const pid = (name: string) => stack.processes.find((each) => each.name === name)!.child.pid!;
  const cpu = (name: string) => sampleProcess(pid(name))!.cpuSeconds;
  const check = async (response: Response) => {
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${response.status} ${text}`);
  };
  const targets = {
    router: async () =>
      check(
        await fetch(stack.routerUrl, {
          method: "POST",
          // Answered by the gateway each time, not by the public response cache.
          headers: { "content-type": "application/json", "cache-control": "no-cache" },
          body: query,
        }),
      ),
    products: async () =>
      check(
        await fetch(stack.subgraphUrls.products, {
          method: "POST",
          headers: { "content-type": "application/json", "x-router-signature": signRouterRequest(secret, query) },
          body: query,
        }),
      ),
  };
  try {
    for (const [name, send] of Object.entries(targets)) {
      await run(send, 300);
      const before = { router: cpu("router"), products: cpu("products") };
      const started = performance.now();
      await run(send, requests);
      const seconds = (performance.now() - started) / 1000;
      const perRequest = (process: "router" | "products") =>
        (((cpu(process) - before[process]) * 1000) / requests).toFixed(3);
      console.log(
        `${name}: ${requests} requests in ${seconds.toFixed(1)} s; CPU ms/request router ${perRequest("router")}, products ${perRequest("products")}`,
      );
    }
  } finally {
    await stack.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
