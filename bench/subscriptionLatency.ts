/**
 * `npm run bench:subscriptions`: how long a status change takes to reach a subscribed client.
 *
 * Starts the whole stack as separate processes on databases of its own (bench_subs_*), places
 * orders at a steady pace and ships and delivers them, while one client follows them over
 * `myOrderUpdates`. Each message's arrival is compared with the time the orders service recorded
 * the change (`order_status_changes.at`); p50, p90 and p99 go to bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Client as PgClient } from "pg";
import { startStack } from "../scripts/processStack";
import { projectRoot } from "../subgraphs/common/projectRoot";
import { collect, subscriptionClient } from "../test/support/subscriptionClient";
import { graphqlData } from "../test/support/graphqlClient";

const orders = Number(process.env.BENCH_ORDERS ?? 250);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 5);
const admin = { email: "bench-admin@example.com", password: "bench-admin-password" };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const stack = await startStack("bench_subs", {
    env: {
      ...process.env,
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    },
  });
  try {
    const url = stack.routerUrl;
    const login = async (email: string, password: string) =>
      (
        await graphqlData(url, `mutation($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`, {
          variables: { input: { email, password } },
        })
      ).login;
    const adminSession = await login(admin.email, admin.password);
    const { createProduct } = await graphqlData(
      url,
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        token: adminSession.accessToken,
        variables: { input: { sku: `BENCH-${Date.now()}`, name: "Benchmark Widget", price: "5.00" } },
      },
    );
    await graphqlData(url, `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`, {
      token: adminSession.accessToken,
      variables: { input: { productId: createProduct.id, delta: 100_000, reason: "benchmark" } },
    });
    const email = `bench-${randomUUID()}@example.com`;
    const { register } = await graphqlData(
      url,
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      {
        variables: { input: { email, password: "bench-customer-password", name: "Bench Customer" } },
      },
    );

    const client = subscriptionClient(url, register.accessToken);
    const arrivals: Array<{ orderId: string; status: string; at: number }> = [];
    const watch = collect(client, `subscription { myOrderUpdates { id status } }`);
    const recorded = watch.messages;
    const seen = () => recorded.length;
    await new Promise((resolve) => setTimeout(resolve, 500));

    const placeOne = async () => {
      const { placeOrder } = await graphqlData(
        url,
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
        {
          token: register.accessToken,
          variables: {
            input: {
              idempotencyKey: randomUUID(),
              items: [{ productId: createProduct.id, quantity: 1 }],
              shippingAddress: { line1: "1 Bench St", city: "Testville", postalCode: "00000", country: "US" },
              paymentToken: "tok_visa",
            },
          },
        },
      );
      return placeOrder.id as string;
    };
    const ids: string[] = [];
    const started = performance.now();
    for (let start = 0; start < orders; start += concurrency) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, orders - start) }, placeOne))));
    }
    const waitForMessages = async (count: number, what: string) => {
      const deadline = Date.now() + 120_000;
      while (seen() < count) {
        if (Date.now() > deadline) throw new Error(`only ${seen()} of ${count} messages arrived (${what})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await waitForMessages(orders * 3, "placed, reserved, confirmed");
    for (let start = 0; start < ids.length; start += concurrency) {
      await Promise.all(
        ids.slice(start, start + concurrency).map(async (orderId) => {
          await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
            token: adminSession.accessToken,
            variables: { input: { orderId, carrier: "UPS", trackingNumber: orderId.slice(0, 8) } },
          });
          await graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
            token: adminSession.accessToken,
            variables: { id: orderId },
          });
        }),
      );
    }
    await waitForMessages(orders * 5, "shipped, delivered");
    const elapsed = (performance.now() - started) / 1000;
    watch.stop();
    await client.dispose();

    const received = watch.arrivals;
    arrivals.push(...received);
    const db = new PgClient({ connectionString: stack.databaseUrl("orders") });
    await db.connect();
    const { rows } = await db.query<{ order_id: string; status: string; at: Date }>(
      "SELECT order_id::text, status::text, at FROM order_status_changes WHERE order_id = ANY($1::uuid[])",
      [ids],
    );
    await db.end();
    const changedAt = new Map(rows.map((row) => [`${row.order_id}:${row.status}`, row.at.getTime()]));
    const latencies = arrivals
      .map((arrival) => arrival.at - (changedAt.get(`${arrival.orderId}:${arrival.status}`) ?? Number.NaN))
      .filter((value) => Number.isFinite(value))
      .sort((a, b) => a - b);
    const duplicates =
      arrivals.length - new Set(arrivals.map((arrival) => `${arrival.orderId}:${arrival.status}`)).size;
    const result = {
      date: new Date().toISOString(),
      orders,
      concurrency,
      changes: rows.length,
      messages: arrivals.length,
      duplicates,
      measured: latencies.length,
      elapsedSeconds: Number(elapsed.toFixed(1)),
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1),
      },
    };
    const folder = path.join(projectRoot, "bench", "results");
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `subscriptions-${result.date.slice(0, 10)}-concurrency-${concurrency}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await stack.destroy();
  }
}

main().catch((error: Error) => {
  console.error(`bench:subscriptions: ${error.stack ?? error.message}`);
  process.exit(1);
});
