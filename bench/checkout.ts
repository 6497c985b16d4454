/**
 * `npm run bench`: checkout throughput and latency through the router, and the gateway's overhead.
 *
 * Starts the whole stack as separate processes on databases of its own (bench_*), or targets a
 * running one (BENCH_ROUTER_URL and BENCH_PRODUCTS_URL). Seeds the catalog, then N virtual
 * customers each loop: a Products page with stock and rating, one product, add to cart, place
 * the order, and follow it over `myOrderUpdates` until CONFIRMED. Then the Products query alone,
 * through the router and straight to the products subgraph. Bounded in time and in orders.
 * Writes bench/results/<date>.json and .md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { availableParallelism } from "node:os";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { seedCatalog } from "../scripts/seed/seedCatalog";
import { startStack, type RunningStack } from "../scripts/processStack";
import { developmentRouterSigningSecret } from "../subgraphs/common/auth/routerCredential";
import { projectRoot } from "../subgraphs/common/projectRoot";
import { collect, subscriptionClient } from "../test/support/subscriptionClient";
import { LoadClient, runLoops } from "./loadClient";
import {
  ProcessMonitor,
  sampleGroup,
  sampleMachine,
  sampleProcess,
  summarize,
  type ProcessSample,
  type Probe,
} from "./processStats";

const settings = {
  seconds: Number(process.env.BENCH_SECONDS ?? 30),
  customers: Number(process.env.BENCH_CUSTOMERS ?? 40),
  maxOrders: Number(process.env.BENCH_MAX_ORDERS ?? 20_000),
  productsSeconds: Number(process.env.BENCH_PRODUCTS_SECONDS ?? 10),
  productsConcurrency: Number(process.env.BENCH_PRODUCTS_CONCURRENCY ?? 32),
  routerWorkers: process.env.ROUTER_WORKERS ?? "1",
  /** The router's public response cache, as production runs it (k8s/base/config.yaml). */
  publicCacheSeconds: process.env.PUBLIC_RESPONSE_CACHE_SECONDS ?? "2",
  /** A folder for V8 CPU profiles of every service (node --cpu-prof), written when the stack stops. */
  cpuProfileDir: process.env.BENCH_CPU_PROFILE_DIR,
};
const admin = {
  email: process.env.ADMIN_EMAIL ?? "bench-admin@example.com",
  password: process.env.ADMIN_PASSWORD ?? "bench-admin-password",
};

const productsPage = `query Products($first: Int) { products(first: $first) { totalCount edges { node { id name price { amount currency } rating { average count } stock { available inStock } } } } }`;
const productsOwnFields = `query ProductsOwnFields($first: Int) { products(first: $first) { totalCount edges { node { id name price { amount currency } rating { average count } category { name } } } } }`;
const productQuery = `query Product($id: ID!) { product(id: $id) { id name description price { amount currency } rating { average count } stock { available inStock } } }`;

/** A sink for the notifications' email, so delivery works as in production. */
async function startMailSink(): Promise<{ url: string; close(): void }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData: (stream, _session, callback) => stream.on("data", () => undefined).on("end", () => callback()),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function main(): Promise<void> {
  const mail = await startMailSink();
  let stack: RunningStack | undefined;
  let routerUrl = process.env.BENCH_ROUTER_URL;
  let productsUrl = process.env.BENCH_PRODUCTS_URL;
  // Calls straight to the products subgraph are signed as the router signs them.
  let routerSigningSecret = process.env.ROUTER_SIGNING_SECRET || developmentRouterSigningSecret;
  if (!routerUrl) {
    console.log("bench: starting the stack (bench_* databases)...");
    // Production mode, from the compiled build, as containers run it.
    const { privateKey } = generateKeyPairSync("ed25519");
    routerSigningSecret = randomBytes(32).toString("hex");
    stack = await startStack("bench", {
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
        ROUTER_SIGNING_SECRET: routerSigningSecret,
        CORS_ORIGINS: "https://bench.example",
        LOG_LEVEL: "warn",
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        SMTP_URL: mail.url,
        // One load generator is one address: the per-client limit would measure itself.
        RATE_LIMIT_REQUESTS: "0",
        MAX_QUERY_COST: "20000",
        ROUTER_WORKERS: settings.routerWorkers,
        PUBLIC_RESPONSE_CACHE_SECONDS: settings.publicCacheSeconds,
      },
      ...(settings.cpuProfileDir
        ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${path.resolve(settings.cpuProfileDir)}`] }
        : {}),
    });
    routerUrl = stack.routerUrl;
    productsUrl = stack.subgraphUrls.products;
  }
  const client = new LoadClient(routerUrl);
  try {
    console.log("bench: seeding the catalog...");
    await seedCatalog({ routerUrl, adminEmail: admin.email, adminPassword: admin.password });
    const adminToken = (
      await client.request<{ login: { accessToken: string } }>(
        `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
        { input: admin },
      )
    ).data!.login.accessToken;
    // The products customers open, with the variant they put in the cart (the default one).
    const page = (
      await client.request<{ products: { edges: Array<{ node: { id: string; defaultVariant: { id: string } } }> } }>(
        `query($first: Int) { products(first: $first) { edges { node { id defaultVariant { id } } } } }`,
        { first: 100 },
      )
    ).data!.products.edges.map((edge) => ({ productId: edge.node.id, variantId: edge.node.defaultVariant.id }));
    // Stock enough for every order the run can place: the benchmark measures checkout, not scarcity.
    await Promise.all(
      page.map(({ variantId }) =>
        client.request(
          `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`,
          { input: { variantId, delta: 100_000, reason: "benchmark" } },
          adminToken,
        ),
      ),
    );

    console.log(`bench: registering ${settings.customers} customers...`);
    const customers = await Promise.all(
      Array.from({ length: settings.customers }, async () => {
        const result = await client.request<{ register: { accessToken: string } }>(
          `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
          {
            input: {
              email: `bench-${randomUUID()}@example.com`,
              password: "bench-customer-password",
              name: "Bench Customer",
            },
          },
        );
        const token = result.data!.register.accessToken;
        const waiting = new Map<string, (status: string) => void>();
        const ws = subscriptionClient(routerUrl!, token);
        const watch = collect(ws, `subscription { myOrderUpdates { id status } }`);
        return { token, waiting, ws, watch };
      }),
    );
    for (const customer of customers) {
      // Resolve the order's waiter when its outcome arrives.
      const original = customer.watch.messages.push.bind(customer.watch.messages);
      customer.watch.messages.push = (...messages) => {
        for (const message of messages) {
          const update = message.data?.myOrderUpdates as { id: string; status: string } | undefined;
          if (update && ["CONFIRMED", "CANCELLED"].includes(update.status))
            customer.waiting.get(update.id)?.(update.status);
        }
        return original(...messages);
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));

    const probes: Record<string, Probe> = {
      ...Object.fromEntries(
        (stack?.processes ?? []).map((managed) => [managed.name, () => sampleProcess(managed.child.pid!)]),
      ),
      postgres: () => sampleGroup("postgres"),
      redis: () => sampleGroup("redis-server"),
      nats: () => sampleGroup("nats-server"),
      "load generator": () => sampleProcess(process.pid),
    };
    const monitor = new ProcessMonitor(probes);
    const atCheckoutStart = { processes: monitor.sample(), machine: sampleMachine() };

    console.log(`bench: checkout for ${settings.seconds}s with ${settings.customers} customers...`);
    const placeLatencies: number[] = [];
    const sagaLatencies: number[] = [];
    const browseLatencies: number[] = [];
    let placed = 0;
    let confirmed = 0;
    let cancelled = 0;
    let sagaTimeouts = 0;
    const started = performance.now();
    const deadline = started + settings.seconds * 1000;
    await Promise.all(
      customers.map(async (customer) => {
        while (performance.now() < deadline && placed < settings.maxOrders) {
          const browse = await client.request(productsPage, { first: 20 }, customer.token);
          browseLatencies.push(browse.ms);
          const { productId, variantId } = page[Math.floor(Math.random() * page.length)]!;
          await client.request(productQuery, { id: productId }, customer.token);
          await client.request(
            `mutation($id: ID!) { addToCart(variantId: $id, quantity: 1) { id } }`,
            { id: variantId },
            customer.token,
          );
          const placedAt = performance.now();
          const order = await client.request<{ placeOrder: { id: string } }>(
            `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`,
            {
              input: {
                idempotencyKey: randomUUID(),
                shippingAddress: { line1: "1 Bench St", city: "Testville", postalCode: "00000", country: "US" },
                paymentToken: "tok_visa",
              },
            },
            customer.token,
          );
          if (!order.ok) continue;
          placed += 1;
          placeLatencies.push(order.ms);
          const outcome = await new Promise<string>((resolve) => {
            const timer = setTimeout(() => resolve("TIMEOUT"), 10_000);
            customer.waiting.set(order.data!.placeOrder.id, (status) => {
              clearTimeout(timer);
              resolve(status);
            });
          });
          customer.waiting.delete(order.data!.placeOrder.id);
          if (outcome === "CONFIRMED") {
            confirmed += 1;
            sagaLatencies.push(performance.now() - placedAt);
          } else if (outcome === "CANCELLED") cancelled += 1;
          else sagaTimeouts += 1;
        }
      }),
    );
    const checkoutSeconds = (performance.now() - started) / 1000;
    const atCheckoutEnd = { processes: monitor.sample(), machine: sampleMachine(), at: performance.now() };

    console.log(
      `bench: Products alone for ${settings.productsSeconds}s each: through the router (cached, then not) and straight to the subgraph...`,
    );
    const direct = new LoadClient(productsUrl!, routerSigningSecret);
    const noCache = { "cache-control": "no-cache" };
    const measureProducts = async (send: () => Promise<{ ms: number }>) => {
      const latencies: number[] = [];
      const start = performance.now();
      const count = await runLoops(settings.productsConcurrency, start + settings.productsSeconds * 1000, async () =>
        latencies.push((await send()).ms),
      );
      return {
        requestsPerSecond: Math.round(count / ((performance.now() - start) / 1000)),
        latencyMs: summarize(latencies),
      };
    };
    // Anonymous visitors browsing the catalog, as a storefront's busiest page, with the router's public cache.
    const viaRouter = await measureProducts(() => client.request(productsPage, { first: 20 }));
    // The same page answered fresh every time: the gateway, products and inventory at work.
    const viaRouterUncached = await measureProducts(() =>
      client.request(productsPage, { first: 20 }, undefined, noCache),
    );
    // The gateway's own cost: one subgraph's fields, through the router and straight to the subgraph.
    const ownFieldsViaRouter = await measureProducts(() =>
      client.request(productsOwnFields, { first: 20 }, undefined, noCache),
    );
    const ownFieldsDirect = await measureProducts(() => direct.request(productsOwnFields, { first: 20 }));
    const atProductsEnd = { processes: monitor.sample(), machine: sampleMachine() };
    monitor.stop();
    const cpuSeconds = (
      from: Record<string, ProcessSample | undefined>,
      to: Record<string, ProcessSample | undefined>,
      name: string,
    ) => (to[name]?.cpuSeconds ?? 0) - (from[name]?.cpuSeconds ?? 0);
    const productsSeconds = (performance.now() - atCheckoutEnd.at) / 1000;
    const processes = Object.fromEntries(
      Object.keys(probes).map((name) => {
        const checkoutCpu = cpuSeconds(atCheckoutStart.processes, atCheckoutEnd.processes, name);
        return [
          name,
          {
            checkoutCpuPercent: Math.round((checkoutCpu / checkoutSeconds) * 100),
            cpuMsPerOrder: confirmed ? Math.round((checkoutCpu * 1000) / confirmed) : null,
            productsCpuPercent: Math.round(
              (cpuSeconds(atCheckoutEnd.processes, atProductsEnd.processes, name) / productsSeconds) * 100,
            ),
            peakMemoryMb: monitor.peakMemoryMb(name),
          },
        ];
      }),
    );
    const busyPercent = (
      from: { busySeconds: number; totalSeconds: number },
      to: { busySeconds: number; totalSeconds: number },
    ) => Math.round(((to.busySeconds - from.busySeconds) / (to.totalSeconds - from.totalSeconds)) * 100);

    const result = {
      date: new Date().toISOString(),
      machine: { cores: machineCores(), node: process.version },
      settings,
      checkout: {
        seconds: Math.round(checkoutSeconds * 10) / 10,
        ordersPlaced: placed,
        ordersConfirmed: confirmed,
        ordersCancelled: cancelled,
        sagaTimeouts,
        ordersPerSecond: Math.round((confirmed / checkoutSeconds) * 10) / 10,
        placeOrderMs: summarize(placeLatencies),
        sagaMs: summarize(sagaLatencies),
        productsPageDuringCheckoutMs: summarize(browseLatencies),
      },
      products: {
        viaRouter,
        viaRouterUncached,
        ownFieldsViaRouter,
        ownFieldsDirect,
        routerCostRatio:
          Math.round((ownFieldsDirect.requestsPerSecond / ownFieldsViaRouter.requestsPerSecond) * 100) / 100,
      },
      errors: { count: client.errors + direct.errors, samples: [...client.errorSamples, ...direct.errorSamples] },
      machineBusyPercent: {
        checkout: busyPercent(atCheckoutStart.machine, atCheckoutEnd.machine),
        products: busyPercent(atCheckoutEnd.machine, atProductsEnd.machine),
      },
      processes,
    };
    const folder = path.join(projectRoot, "bench", "results");
    mkdirSync(folder, { recursive: true });
    const stamp = result.date.slice(0, 16).replace(/[:T]/g, "-");
    writeFileSync(path.join(folder, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(folder, `${stamp}.md`), markdown(result));
    console.log(markdown(result));
    for (const customer of customers) await customer.ws.dispose();
  } finally {
    if (stack && !process.env.BENCH_KEEP) await stack.destroy();
    mail.close();
  }
}

function machineCores(): number {
  return availableParallelism();
}

function markdown(result: Record<string, any>): string {
  const c = result.checkout;
  const p = result.products;
  const row = (name: string, value: string, target = "") => `| ${name} | ${value} | ${target} |`;
  const latency = (l: { p50: number; p95: number; p99: number }) => `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms`;
  return [
    `# Benchmark ${result.date}`,
    "",
    `${result.machine.cores} cores, Node ${result.machine.node}; ${result.settings.customers} virtual customers for ${c.seconds}s; router workers: ${result.settings.routerWorkers}; public response cache: ${result.settings.publicCacheSeconds}s. Everything (databases, NATS, Redis, seven services, load generator) on this machine.`,
    "",
    "| measure | result | target |",
    "| --- | --- | --- |",
    row("orders per second (confirmed)", String(c.ordersPerSecond), "≥ 100"),
    row(
      "orders placed / confirmed / cancelled / saga timeouts",
      `${c.ordersPlaced} / ${c.ordersConfirmed} / ${c.ordersCancelled} / ${c.sagaTimeouts}`,
    ),
    row("placeOrder latency", latency(c.placeOrderMs), "p99 < 150 ms"),
    row("saga latency (placed → subscriber sees CONFIRMED)", latency(c.sagaMs), "p99 < 1 s"),
    row("Products page during checkout", latency(c.productsPageDuringCheckoutMs)),
    row(
      "Products through the router (with stock), anonymous, public cache",
      `${p.viaRouter.requestsPerSecond} req/s; ${latency(p.viaRouter.latencyMs)}`,
      "≥ 1,000 req/s",
    ),
    row(
      "Products through the router (with stock), no-cache",
      `${p.viaRouterUncached.requestsPerSecond} req/s; ${latency(p.viaRouterUncached.latencyMs)}`,
    ),
    row(
      "Products (own fields) through the router, no-cache",
      `${p.ownFieldsViaRouter.requestsPerSecond} req/s; ${latency(p.ownFieldsViaRouter.latencyMs)}`,
    ),
    row(
      "Products (own fields) straight to the subgraph",
      `${p.ownFieldsDirect.requestsPerSecond} req/s; ${latency(p.ownFieldsDirect.latencyMs)}`,
    ),
    row("router cost ratio (direct req/s ÷ via router req/s)", String(p.routerCostRatio), "≤ 1.5"),
    row("errors", String(result.errors.count)),
    "",
    `Machine busy (all ${result.machine.cores} cores): ${result.machineBusyPercent.checkout}% during checkout, ${result.machineBusyPercent.products}% during the Products runs.`,
    "",
    "| process | CPU % of one core, checkout | CPU ms per confirmed order | CPU % of one core, Products runs | peak memory MB |",
    "| --- | --- | --- | --- | --- |",
    ...Object.entries(
      result.processes as Record<
        string,
        { checkoutCpuPercent: number; cpuMsPerOrder: number | null; productsCpuPercent: number; peakMemoryMb: number }
      >,
    ).map(
      ([name, stats]) =>
        `| ${name} | ${stats.checkoutCpuPercent} | ${stats.cpuMsPerOrder ?? "-"} | ${stats.productsCpuPercent} | ${stats.peakMemoryMb} |`,
    ),
    "",
  ].join("\n");
}

main().catch((error: Error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  process.exit(1);
});
