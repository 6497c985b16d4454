/**
 * `npx tsx bench/httpOverhead.ts`: the CPU a small GraphQL request costs the server that answers
 * it, through the router (which asks the products subgraph) and straight to the products
 * subgraph (signed as the router signs). Starts the stack from the compiled build (`npm run
 * build` first) on databases of its own, sends HTTP_BENCH_REQUESTS (2000) requests to each
 * target over keep-alive connections, HTTP_BENCH_CONCURRENCY (4) at a time, and reports each
 * process's CPU (from /proc) per request. Targets: the router answering anonymously through the
 * gateway (`router`), a signed-in customer through the gateway (`router-customer`, as the
 * checkout's mutations go) and from the public response cache (`router-customer-cached`, as the
 * checkout's catalog reads), and the subgraph itself (`products`); HTTP_BENCH_TARGETS (comma
 * separated) picks some, HTTP_BENCH_ROUNDS (1) repeats them in turn.
 */
import { randomBytes } from "node:crypto";
import { signRouterRequest } from "../subgraphs/common/auth/routerCredential";
import { sampleProcess } from "./processStats";
import { startProductionStack } from "./productionStack";
import { runStandalone } from "./standalone";

const requests = Number(process.env.HTTP_BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.HTTP_BENCH_CONCURRENCY ?? 4);
const rounds = Number(process.env.HTTP_BENCH_ROUNDS ?? 1);
const chosen = process.env.HTTP_BENCH_TARGETS?.split(",");
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
  const stack = await startProductionStack(`httpbench${process.pid}`, {
    routerSigningSecret: secret,
    admin: { email: "admin@bench.example", password: randomBytes(12).toString("hex") },
    // No mail is sent: nothing here places an order.
    smtpUrl: "smtp://127.0.0.1:9",
    env: { ROUTER_WORKERS: "1", PUBLIC_RESPONSE_CACHE_SECONDS: "2" },
    // BENCH_NODE_ARGS: options for the services' node, such as --cpu-prof or --perf-basic-prof.
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
  });
  const pid = (name: string) => stack.processes.find((each) => each.name === name)!.child.pid!;
  const cpu = (name: string) => sampleProcess(pid(name))!.cpuSeconds;
  const check = async (response: Response) => {
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${response.status} ${text}`);
  };
  const customer = await fetch(stack.routerUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
      variables: {
        input: { email: `bench-${process.pid}@example.com`, password: randomBytes(12).toString("hex"), name: "Bench" },
      },
    }),
  });
  const { data } = (await customer.json()) as { data: { register: { accessToken: string } } };
  const asCustomer = (cacheControl?: string) => async () =>
    check(
      await fetch(stack.routerUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${data.register.accessToken}`,
          ...(cacheControl ? { "cache-control": cacheControl } : {}),
        },
        body: query,
      }),
    );
  const targets: Record<string, () => Promise<void>> = {
    "router-customer": asCustomer("no-cache"),
    "router-customer-cached": asCustomer(),
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
    const picked = Object.entries(targets).filter(([name]) => !chosen || chosen.includes(name));
    for (const [name, send] of Array.from({ length: rounds }, () => picked).flat()) {
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

runStandalone(main);
