/**
 * `npm run bench`: checkout throughput, latency and cost through the router, and the gateway's overhead.
 *
 * Starts the whole stack as separate processes on databases of its own (bench_*), or targets a
 * running one (BENCH_ROUTER_URL and BENCH_PRODUCTS_URL). Seeds the catalog, then runs checkout
 * BENCH_RUNS times (3): N virtual customers each place orders (a Products page with stock and
 * rating, one product, add to cart, place the order, follow it over `myOrderUpdates` until
 * CONFIRMED), either as fast as each one's last order settles (closed loop) or at a fixed arrival
 * rate (open loop, BENCH_RATE). Each run measures a steady window: the CPU each process used per
 * confirmed order, how much of the machine's time no measured process accounts for, and the work
 * counters the services expose (SQL, NATS, HTTP, Redis) per order; the report gives each run and
 * their median. Then the Products query alone, through the router and straight to the products
 * subgraph. Writes bench/results/<date>.json and .md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { availableParallelism, loadavg } from "node:os";
import { randomBytes, randomUUID } from "node:crypto";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { seedCatalog } from "../scripts/seed/seedCatalog";
import type { RunningStack } from "../scripts/processStack";
import { developmentRouterSigningSecret } from "../subgraphs/common/auth/routerCredential";
import { projectRoot } from "../subgraphs/common/projectRoot";
import { collect, subscriptionClient } from "../test/support/subscriptionClient";
import { productsPage, runCheckout, type RunOutcome } from "./checkoutRun";
import { LoadClient, runLoops } from "./loadClient";
import { PostgresBackends } from "./postgresBackends";
import { StandInAutovacuum } from "./standInAutovacuum";
import { ProcessMonitor, sampleGroup, sampleMachine, sampleProcess, summarize, type Probe } from "./processStats";
import { startProductionStack } from "./productionStack";
import { markdown } from "./report";
import {
  accountWindow,
  median,
  medianOf,
  type Attribution,
  type WindowAccount,
  type WindowSample,
} from "./windowAccount";
import { scrapeWorkCounts } from "./workCounters";

const settings = {
  mode: (process.env.BENCH_RATE ? "open" : "closed") as "open" | "closed",
  /** Open loop: orders arriving a second, whatever the platform's pace. */
  rate: Number(process.env.BENCH_RATE ?? 0),
  runs: Number(process.env.BENCH_RUNS ?? 3),
  seconds: Number(process.env.BENCH_SECONDS ?? 30),
  /** The first seconds of each run are ramp-up, outside the measured window. */
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 5),
  customers: Number(process.env.BENCH_CUSTOMERS ?? 40),
  maxOrders: Number(process.env.BENCH_MAX_ORDERS ?? 20_000),
  productsSeconds: Number(process.env.BENCH_PRODUCTS_SECONDS ?? 10),
  productsConcurrency: Number(process.env.BENCH_PRODUCTS_CONCURRENCY ?? 32),
  routerWorkers: process.env.ROUTER_WORKERS ?? "1",
  /** The router's public response cache, as production runs it (k8s/base/config.yaml). */
  publicCacheSeconds: process.env.PUBLIC_RESPONSE_CACHE_SECONDS ?? "2",
  /** A folder for V8 CPU profiles of every service (node --cpu-prof), written when the stack stops. */
  cpuProfileDir: process.env.BENCH_CPU_PROFILE_DIR,
  /** More options for the services' node, such as `--perf-basic-prof` for `perf record` (space-separated). */
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
};
const postgresUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
/** How often the bench analyses and vacuums its databases when the server's autovacuum is off (standInAutovacuum.ts). */
const standInAutovacuumIntervalMs = 10_000;
const postgresBench = "postgres (bench backends)";
const postgresServer = "postgres (whole server)";
const loadGenerator = "load generator";
const admin = {
  email: process.env.ADMIN_EMAIL ?? "bench-admin@example.com",
  password: process.env.ADMIN_PASSWORD ?? "bench-admin-password",
};

const productsOwnFields = `query ProductsOwnFields($first: Int) { products(first: $first) { totalCount edges { node { id name price { amount currency } rating { average count } category { name } } } } }`;

/** A sink for the notifications' email, so delivery works as in production. */
async function startMailSink(): Promise<{ url: string; close(): void }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    // No reverse DNS look-up of each connecting client: it is the bench itself, and the look-up costs.
    disableReverseLookup: true,
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
    routerSigningSecret = randomBytes(32).toString("hex");
    stack = await startProductionStack("bench", {
      routerSigningSecret,
      admin,
      smtpUrl: mail.url,
      env: {
        MAX_QUERY_COST: "20000",
        // Seeding and registering hash passwords: on a loaded machine a call may take longer than
        // production's 10 s, and the bench measures cost, not a timeout.
        SUBGRAPH_TIMEOUT_SECONDS: process.env.SUBGRAPH_TIMEOUT_SECONDS ?? "60",
        ROUTER_WORKERS: settings.routerWorkers,
        PUBLIC_RESPONSE_CACHE_SECONDS: settings.publicCacheSeconds,
      },
      nodeArgs: [
        ...(settings.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(settings.cpuProfileDir)}`] : []),
        ...settings.nodeArgs,
      ],
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
    // A few at a time: each registration hashes a password, and forty at once keep a loaded
    // machine's users service busy past any timeout.
    const customers = await inBatches(settings.customers, 4, async () => {
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
      const early = new Map<string, string>();
      const ws = subscriptionClient(routerUrl!, token);
      const watch = collect(ws, `subscription { myOrderUpdates { id status } }`);
      return { token, waiting, early, ws, watch };
    });
    for (const customer of customers) {
      // Resolve the order's waiter when its outcome arrives.
      const original = customer.watch.messages.push.bind(customer.watch.messages);
      customer.watch.messages.push = (...messages) => {
        for (const message of messages) {
          const update = message.data?.myOrderUpdates as { id: string; status: string } | undefined;
          if (update && ["CONFIRMED", "CANCELLED"].includes(update.status)) {
            const waiter = customer.waiting.get(update.id);
            if (waiter) waiter(update.status);
            else customer.early.set(update.id, update.status);
          }
        }
        return original(...messages);
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));

    const backends = new PostgresBackends(postgresUrl, "bench_");
    await backends.start();
    const vacuum = await StandInAutovacuum.startIfNeeded(postgresUrl, "bench_", standInAutovacuumIntervalMs);
    // The backends split by database, that is by service (bench_orders → "postgres orders").
    const postgresByDatabase = Object.fromEntries(
      (await backends.databases()).map((datname) => [`postgres ${datname.replace(/^bench_/, "")}`, datname]),
    );
    // The bench's own PostgreSQL backends are what an order costs; the server as a whole (its
    // background writers, and any other client of a shared server) is reported beside them.
    const probes: Record<string, Probe> = {
      ...Object.fromEntries(
        (stack?.processes ?? []).map((managed) => [managed.name, () => sampleProcess(managed.child.pid!)]),
      ),
      [postgresBench]: () => backends.sample(),
      ...Object.fromEntries(
        Object.entries(postgresByDatabase).map(([name, datname]) => [name, () => backends.sampleDatabase(datname)]),
      ),
      redis: () => sampleGroup("redis-server"),
      nats: () => sampleGroup("nats-server"),
      [postgresServer]: () => sampleGroup("postgres"),
      [loadGenerator]: () => sampleProcess(process.pid),
    };
    const attribution: Attribution = {
      perOrder: Object.keys(probes).filter(
        (name) => name !== postgresServer && name !== loadGenerator && !(name in postgresByDatabase),
      ),
      alsoAttributed: [postgresServer, loadGenerator],
      within: { [postgresBench]: postgresServer },
      parts: { [postgresBench]: Object.keys(postgresByDatabase) },
    };
    const metricsUrls = Object.fromEntries(
      stack
        ? [
            ...Object.entries(stack.subgraphUrls).map(([name, url]) => [name, url.replace(/\/graphql$/, "/metrics")]),
            ["router", stack.routerUrl.replace(/\/graphql$/, "/metrics")],
          ]
        : [],
    );
    const monitor = new ProcessMonitor(probes);
    const takeSample = async (): Promise<WindowSample> => {
      const at = performance.now();
      const machine = sampleMachine();
      const cpuSeconds = Object.fromEntries(
        Object.entries(monitor.sample()).map(([name, sample]) => [name, sample?.cpuSeconds]),
      );
      return { at, machine, cpuSeconds, work: await scrapeWorkCounts(metricsUrls) };
    };

    const runs: Array<
      { loadAverage: { before: number[]; after: number[] } } & RunOutcome & { account: WindowAccount }
    > = [];
    for (let run = 1; run <= settings.runs; run += 1) {
      const describe =
        settings.mode === "open"
          ? `${settings.rate} orders/s arriving (open loop), ${settings.customers} customers`
          : `${settings.customers} customers (closed loop)`;
      console.log(`bench: checkout run ${run}/${settings.runs} for ${settings.seconds}s, ${describe}...`);
      const before = loadavg();
      const outcome = await runCheckout(settings, client, customers, page, takeSample);
      const account = accountWindow(outcome.window.from, outcome.window.to, outcome.confirmedInWindow, attribution);
      runs.push({ ...outcome, account, loadAverage: { before, after: loadavg() } });
      console.log(
        `bench: run ${run}: ${account.ordersPerSecond} orders/s confirmed, ${account.cpuMsPerOrderTotal} ms CPU per order${account.flags.length ? ` (flagged: ${account.flags.join("; ")})` : ""}`,
      );
      // Let the last orders' events settle, so the next run starts from a quiet platform.
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
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
    await vacuum?.stop();
    await backends.stop();
    const productsSeconds = (performance.now() - atCheckoutEnd.at) / 1000;
    const used = (name: string) =>
      (atProductsEnd.processes[name]?.cpuSeconds ?? 0) - (atCheckoutEnd.processes[name]?.cpuSeconds ?? 0);
    const processes = Object.fromEntries(
      Object.keys(probes).map((name) => [
        name,
        {
          productsCpuPercent: Math.round((used(name) / productsSeconds) * 100),
          peakMemoryMb: monitor.peakMemoryMb(name),
        },
      ]),
    );
    const productsBusy = atProductsEnd.machine.busySeconds - atCheckoutEnd.machine.busySeconds;
    const productsTotal = atProductsEnd.machine.totalSeconds - atCheckoutEnd.machine.totalSeconds;

    const accounts = runs.map((run) => run.account);
    const result = {
      date: new Date().toISOString(),
      machine: { cores: machineCores(), node: process.version },
      settings,
      autovacuum: vacuum ? vacuum.describe() : "the server's own",
      checkout: {
        runs: runs.map(({ window: _window, ...run }) => run),
        median: {
          ordersPerSecond: median(accounts.map((account) => account.ordersPerSecond)),
          cpuMsPerOrderTotal: median(accounts.map((account) => account.cpuMsPerOrderTotal)),
          cpuMsPerOrder: medianOf(accounts.map((account) => account.cpuMsPerOrder)),
          workPerOrder: medianOf(
            accounts.map((account) => account.workPerOrder as unknown as Record<string, number> | null),
          ),
          placeOrderMs: medianOf(runs.map((run) => run.placeOrderMs)),
          sagaMs: medianOf(runs.map((run) => run.sagaMs)),
          arrivalToConfirmedMs: medianOf(runs.map((run) => run.arrivalToConfirmedMs)),
          unattributedPercent: median(accounts.map((account) => account.machine.unattributedPercent)),
          busyPercent: median(accounts.map((account) => account.machine.busyPercent)),
        },
        flagged: accounts.some((account) => account.flags.length > 0),
      },
      products: {
        viaRouter,
        viaRouterUncached,
        ownFieldsViaRouter,
        ownFieldsDirect,
        routerCostRatio:
          Math.round((ownFieldsDirect.requestsPerSecond / ownFieldsViaRouter.requestsPerSecond) * 100) / 100,
        machineBusyPercent: Math.round((productsBusy / productsTotal) * 100),
      },
      errors: { count: client.errors + direct.errors, samples: [...client.errorSamples, ...direct.errorSamples] },
      processes,
    };
    const folder = path.join(projectRoot, "bench", "results");
    mkdirSync(folder, { recursive: true });
    const stamp = result.date.slice(0, 16).replace(/[:T]/g, "-");
    writeFileSync(path.join(folder, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(folder, `${stamp}.md`), markdown(result));
    console.log(markdown(result));
    for (const customer of customers) await customer.ws.dispose();
    client.close();
    direct.close();
  } finally {
    if (stack && !process.env.BENCH_KEEP) await stack.destroy();
    mail.close();
  }
}

/** `count` results of `make`, at most `size` at a time. */
async function inBatches<T>(count: number, size: number, make: () => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  while (made.length < count)
    made.push(...(await Promise.all(Array.from({ length: Math.min(size, count - made.length) }, make))));
  return made;
}

function machineCores(): number {
  return availableParallelism();
}

main().catch((error: Error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  process.exit(1);
});
