import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { connect } from "nats";
import { Client } from "pg";
import { freePort } from "../../scripts/processStack";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase, migrateDatabase } from "../../subgraphs/common/database/provision";
import { deleteStreams, streamName } from "../../subgraphs/common/events/streams";
import { customerOrdersChannel } from "../../subgraphs/common/orderUpdates";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { serviceNames, type ServiceName } from "../../subgraphs/common/serviceNames";
import { CatalogBuilder } from "../support/catalogBuilder";
import { placeOrderInput } from "../support/checkout";
import { graphql, graphqlData } from "../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../support/identity";
import { ReplicaBalancer } from "../support/replicaBalancer";
import { collect, subscriptionClient } from "../support/subscriptionClient";
import { newTestId } from "../support/testNames";
import { testSettings } from "../support/testSubgraph";
import { waitFor } from "../support/waitFor";

/**
 * Two routers and two replicas of every subgraph, each its own process, against the same
 * PostgreSQL databases, NATS streams and Redis keys, as k8s/base runs them (replicas: 2). The
 * router learns each subgraph's address from `<NAME>_URL` (a supergraph with fixed URLs), and so
 * do the subgraphs that call each other (`PRODUCTS_URL`, `INVENTORY_URL`, `USERS_URL`, the JWKS):
 * in the cluster that address is a Service in front of the replicas. Here a `ReplicaBalancer`
 * per subgraph plays that Service, so both routers and every caller reach both replicas, and a
 * replica killed mid-run leaves its Service while its twin keeps answering.
 *
 * Customers place orders through both routers, concurrently, with cards that capture and cards
 * that are declined, while one replica of every subgraph is killed (SIGKILL: no drain, events in
 * hand unacknowledged, transactions cut) and started again. Every order must then settle exactly
 * once, as its card says, with stock and payments balanced, and every customer's live updates
 * (through a router) must tell the final status of each of their orders.
 */

const readyWithinMs = Number(process.env.TEST_STACK_READY_SECONDS ?? 60) * 1000;
const postgresUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const myOrderUpdates = `subscription MyOrderUpdates { myOrderUpdates { id number status cancellationReason } }`;

interface Replica {
  service: ServiceName | "router";
  label: string;
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The last lines it printed, shown when the test fails. */
  output: string[];
}

/** Every process's error lines, printed when the test fails. */
const errorLines: string[] = [];

/** Starts one service's entry point as its own process, as its container would. */
function startReplica(service: ServiceName | "router", port: number, env: NodeJS.ProcessEnv, label: string): Replica {
  const entry = service === "router" ? "router/main.ts" : `subgraphs/${service}/main.ts`;
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: projectRoot,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      output.push(`${label}: ${line}`);
      // Errors (pino level 50 and up) are kept apart, for the report of a failed run.
      if (/"level":(5|6)\d/.test(line) && errorLines.length < 500) errorLines.push(`${label}: ${line}`);
    }
    output.splice(0, Math.max(0, output.length - 40));
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { service, label, url: `http://127.0.0.1:${port}`, port, child, exited, output };
}

/** Resolves once the replica answers ready; fails at once if it exits first. */
async function untilReady(replica: Replica): Promise<void> {
  let exitCode: number | null | undefined;
  void replica.exited.then((code) => (exitCode = code));
  await waitFor(
    async () => {
      if (exitCode !== undefined) throw new Error(`exited with code ${exitCode}:\n${replica.output.join("\n")}`);
      const response = await fetch(`${replica.url}/health/ready`, { signal: AbortSignal.timeout(5000) }).catch(
        () => undefined,
      );
      return response?.ok === true;
    },
    `${replica.service} at ${replica.url} to be ready`,
    readyWithinMs,
  ).catch((error: Error) => {
    // A replica that exited says why; one still starting shows its last lines.
    throw exitCode !== undefined ? error : new Error(`${error.message}\n${replica.output.join("\n")}`);
  });
}

async function kill(replica: Replica, signal: NodeJS.Signals): Promise<void> {
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill(signal);
  await replica.exited;
}

/** One order as its customer placed it: which card, which lines, through which router. */
interface PlacedOrder {
  id: string;
  customer: number;
  token: "tok_visa" | "tok_declined";
  lines: Array<{ product: number; quantity: number }>;
  /** How many times the customer had to send it (the same idempotency key each time). */
  sends: number;
}

describe("two routers and two replicas of every subgraph, one of each killed mid-checkout", () => {
  const testId = newTestId();
  const balancers = {} as Record<ServiceName, ReplicaBalancer>;
  const replicas: Replica[] = [];
  const routers: Replica[] = [];
  let env: NodeJS.ProcessEnv;
  let redis: Redis;
  const databases = {} as Record<ServiceName, Client>;
  /** When each phase ended, in seconds from the start (reported at the end). */
  const began = Date.now();
  const phases: string[] = [];
  const mark = (phase: string) => phases.push(`${phase} ${Math.round((Date.now() - began) / 1000)}s`);

  beforeAll(
    async () => {
      for (const name of serviceNames) balancers[name] = await ReplicaBalancer.start(name);
      const serviceUrl = (name: ServiceName) => `${balancers[name].url}/graphql`;
      env = {
        ...testSettings(testId),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
        // A crowded machine is slow to start twelve processes.
        STARTUP_TIMEOUT_SECONDS: "120",
        MIGRATE_ON_START: "false",
        // No test here counts their statements.
        DATABASE_LOG_QUERIES: "false",
        APOLLO_TELEMETRY_DISABLED: "1",
        // Every caller goes through the Service, never to a replica by name.
        USERS_JWKS_URL: `${balancers.users.url}/.well-known/jwks.json`,
        USERS_URL: serviceUrl("users"),
        PRODUCTS_URL: serviceUrl("products"),
        INVENTORY_URL: serviceUrl("inventory"),
      };
      // The databases are migrated once, as the deployment's migrate step does (k8s: an init
      // container; a container restarted in its pod does not run it again).
      await Promise.all(
        serviceNames.map(async (name) => {
          const url = databaseUrlFor(name, { POSTGRES_URL: postgresUrl, DATABASE_PREFIX: `${testId}_` });
          await ensureDatabase(url);
          await migrateDatabase(name, url);
        }),
      );
      // Every replica starts at once, as a Deployment's pods do: both replicas of a service make
      // its streams and its durable consumers together.
      const starting = await Promise.all(
        serviceNames.flatMap((name) =>
          ["a", "b"].map(async (which) => {
            const replica = startReplica(name, await freePort(), env, `${name}-${which}`);
            replicas.push(replica);
            await untilReady(replica);
            balancers[name].add(replica.url, replica.label);
            return replica;
          }),
        ),
      );
      expect(starting).toHaveLength(serviceNames.length * 2);
      const routerEnv = {
        ...env,
        // A subgraph answering slowly on a crowded machine is not what this test is about.
        SUBGRAPH_TIMEOUT_SECONDS: "30",
        ...Object.fromEntries(serviceNames.map((name) => [`${name.toUpperCase()}_URL`, serviceUrl(name)])),
      };
      await Promise.all(
        ["a", "b"].map(async (which) => {
          const router = startReplica("router", await freePort(), routerEnv, `router-${which}`);
          routers.push(router);
          await untilReady(router);
        }),
      );
      mark("started");
      redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      for (const name of serviceNames) {
        databases[name] = new Client({
          connectionString: databaseUrlFor(name, { POSTGRES_URL: postgresUrl, DATABASE_PREFIX: `${testId}_` }),
        });
        await databases[name].connect();
      }
    },
    2 * readyWithinMs + 30_000,
  );

  let passed = false;

  afterAll(async () => {
    if (!passed && errorLines.length) console.warn(`errors the processes logged:\n${errorLines.join("\n")}`);
    redis?.disconnect();
    await Promise.all(Object.values(databases).map((client) => client.end().catch(() => undefined)));
    await Promise.all([...routers, ...replicas].map((each) => kill(each, "SIGKILL")));
    await Promise.all(Object.values(balancers).map((balancer) => balancer.stop()));
    for (const name of serviceNames)
      await dropDatabase(databaseUrlFor(name, { POSTGRES_URL: postgresUrl, DATABASE_PREFIX: `${testId}_` }));
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await deleteStreams(await nats.jetstreamManager(), testId);
    await nats.close();
  }, 60_000);

  const query = async <Row extends Record<string, unknown>>(
    service: ServiceName,
    sql: string,
    values: unknown[] = [],
  ) => (await databases[service].query<Row>(sql, values)).rows;

  it("settles every order exactly once, balances stock and payments, and tells every subscriber", async () => {
    const [routerA, routerB] = routers.map((router) => `${router.url}/graphql`) as [string, string];
    const routerUrls = [routerA, routerB];
    const admin = await loginAdmin(routerA);
    const build = new CatalogBuilder(routerB, admin.accessToken);
    const initialStock = 200;
    const products = await Promise.all(
      ["Anvil", "Bellows", "Chisel", "Drill"].map((name, index) =>
        build.product({ name: `Replicated ${name}`, price: `${index + 3}.25`, stock: initialStock }),
      ),
    );

    // Customers registered through either router, each listening to their orders through the
    // router they do not place their first order through.
    const customerCount = 6;
    const ordersPerCustomer = 6;
    const customers: Session[] = [];
    for (let index = 0; index < customerCount; index += 1)
      customers.push(await registerCustomer(routerUrls[index % 2]!));
    const clients = customers.map((customer, index) =>
      subscriptionClient(routerUrls[(index + 1) % 2]!, customer.accessToken),
    );
    const watches = clients.map((client) => collect(client, myOrderUpdates));
    await waitFor(
      async () => {
        for (const customer of customers) {
          const [, listening] = (await redis.pubsub(
            "NUMSUB",
            customerOrdersChannel(`${testId}:`, customer.user.id),
          )) as [string, number];
          if (Number(listening) < 1) return false;
        }
        return true;
      },
      "every customer's subscription to listen",
      30_000,
    );

    // The kill comes once a third of the orders are in, while the rest are being placed; each
    // customer's last order is placed once the killed replicas are back.
    const total = customerCount * ordersPerCustomer;
    let placedCount = 0;
    let reachedKillPoint!: () => void;
    const killPoint = new Promise<void>((resolve) => (reachedKillPoint = resolve));
    const placed: PlacedOrder[] = [];
    const failures: string[] = [];

    const placeOne = async (customer: number, sequence: number): Promise<void> => {
      const token = (customer + sequence) % 4 === 0 ? "tok_declined" : "tok_visa";
      const lines = [
        { product: (customer + sequence) % products.length, quantity: 1 + (sequence % 3) },
        ...(sequence % 2 === 0 ? [{ product: (customer + sequence + 1) % products.length, quantity: 1 }] : []),
      ];
      const input = placeOrderInput(
        lines.map((line) => ({ productId: products[line.product]!.id, quantity: line.quantity })),
        token,
      );
      // A request cut off by a killed replica may or may not have placed the order: the customer
      // sends it again with the same idempotency key, through the other router, as a client does.
      let lastErrors = "";
      for (let send = 1; send <= 6; send += 1) {
        const url = routerUrls[(customer + sequence + send) % 2]!;
        const result = await graphql<{ placeOrder: { id: string; status: string } }>(
          url,
          `
            mutation PlaceOrder($input: PlaceOrderInput!) {
              placeOrder(input: $input) {
                id
                status
              }
            }
          `,
          { token: customers[customer]!.accessToken, variables: { input } },
        ).catch((error: Error) => ({ data: undefined, errors: [{ message: error.message }] }));
        if (result.data?.placeOrder) {
          placed.push({ id: result.data.placeOrder.id, customer, token, lines, sends: send });
          placedCount += 1;
          if (placedCount === Math.floor(total / 3)) reachedKillPoint();
          return;
        }
        lastErrors = JSON.stringify(result.errors);
      }
      failures.push(`customer ${customer} order ${sequence}: ${lastErrors}`);
    };

    const placing = Promise.all(
      customers.map(async (_, customer) => {
        for (let sequence = 0; sequence < ordersPerCustomer - 1; sequence += 1) await placeOne(customer, sequence);
      }),
    );
    // Should the orders run out (or fail) before the kill point, the kill still comes.
    void placing.then(reachedKillPoint, reachedKillPoint);

    // One replica of every subgraph killed outright, and started again on its port (a container
    // restarted in its pod); its Service sends it requests again once it is ready.
    const restarting = killPoint.then(async () => {
      const victims = serviceNames.map((name) => replicas.find((each) => each.label === `${name}-a`)!);
      for (const victim of victims) victim.child.kill("SIGKILL");
      await Promise.all(
        victims.map(async (victim) => {
          balancers[victim.service as ServiceName].remove(victim.url);
          await victim.exited;
        }),
      );
      return Promise.all(
        victims.map(async (victim) => {
          const service = victim.service as ServiceName;
          const restarted = startReplica(service, victim.port, env, `${service}-a-restarted`);
          replicas[replicas.indexOf(victim)] = restarted;
          await untilReady(restarted);
          balancers[service].add(restarted.url, restarted.label);
          return restarted;
        }),
      );
    });

    await placing;
    mark("placed");
    const restarted = await restarting;
    mark("restarted");
    await Promise.all(customers.map((_, customer) => placeOne(customer, ordersPerCustomer - 1)));
    expect(failures).toEqual([]);
    expect(placed).toHaveLength(total);
    expect(restarted.map((each) => each.child.exitCode)).toEqual(serviceNames.map(() => null));

    // Every order settles: none left pending or awaiting payment. Events a killed replica held
    // unacknowledged come back after the consumers' ack wait (30 s), so this may take that long.
    const ids = placed.map((order) => order.id);
    const statuses = await waitFor(
      async () => {
        const rows = await query<{ id: string; status: string; cancellation_reason: string | null }>(
          "orders",
          "SELECT id::text, status::text, cancellation_reason::text FROM orders WHERE id = ANY($1::uuid[])",
          [ids],
        );
        return rows.length === total && rows.every((row) => ["CONFIRMED", "CANCELLED"].includes(row.status))
          ? new Map(rows.map((row) => [row.id, row]))
          : undefined;
      },
      "every order to settle",
      120_000,
    );

    mark("settled");

    // Each as its card says, and no order more than the customers placed (a resent request
    // found its order; it did not place another).
    const expected = (order: PlacedOrder) => (order.token === "tok_visa" ? "CONFIRMED" : "CANCELLED");
    expect(placed.map((order) => `${order.id}:${statuses.get(order.id)?.status}`)).toEqual(
      placed.map((order) => `${order.id}:${expected(order)}`),
    );
    for (const order of placed.filter((each) => each.token === "tok_declined"))
      expect(statuses.get(order.id)?.cancellation_reason).toBe("PAYMENT_DECLINED");
    expect(await query("orders", "SELECT count(*)::int AS count FROM orders")).toEqual([{ count: total }]);

    // Settled once: each order went through each status exactly once.
    const histories = await query<{ id: string; history: string }>(
      "orders",
      `SELECT order_id::text AS id, string_agg(status::text, ',' ORDER BY id) AS history
         FROM order_status_changes WHERE order_id = ANY($1::uuid[]) GROUP BY order_id`,
      [ids],
    );
    const historyOf = new Map(histories.map((row) => [row.id, row.history]));
    expect(placed.map((order) => `${order.id}:${historyOf.get(order.id)}`)).toEqual(
      placed.map((order) => `${order.id}:PENDING,AWAITING_PAYMENT,${expected(order)}`),
    );

    // Payments: one payment per order; a confirmed order's captured for its total, every try of
    // its capture under one idempotency key (a provider that honours keys, as Stripe does,
    // charged it once, however many tries a killed replica left behind); a declined one
    // captured nothing; nothing refunded.
    const payments = await query<{
      order_id: string;
      status: string;
      amount_minor: string;
      refunded_minor: string;
      succeeded: number;
      keys: number;
    }>(
      "payments",
      `SELECT p.order_id::text, p.status::text, p.amount_minor::text, p.refunded_minor::text,
              count(*) FILTER (WHERE a.kind = 'CAPTURE' AND a.outcome = 'SUCCEEDED')::int AS succeeded,
              count(DISTINCT a.idempotency_key) FILTER (WHERE a.kind = 'CAPTURE')::int AS keys
         FROM payments p LEFT JOIN payment_attempts a ON a.payment_id = p.id
        GROUP BY p.id`,
    );
    const totals = new Map(
      (
        await query<{ id: string; total_minor: string }>(
          "orders",
          "SELECT id::text, total_minor::text FROM orders WHERE id = ANY($1::uuid[])",
          [ids],
        )
      ).map((row) => [row.id, row.total_minor]),
    );
    expect(payments).toHaveLength(total);
    const paymentOf = new Map(payments.map((row) => [row.order_id, row]));
    for (const order of placed) {
      const payment = paymentOf.get(order.id);
      const confirmed = order.token === "tok_visa";
      expect({ order: order.id, ...payment, succeeded: (payment?.succeeded ?? 0) > 0 }).toEqual({
        order: order.id,
        order_id: order.id,
        status: confirmed ? "SUCCEEDED" : "FAILED",
        amount_minor: totals.get(order.id),
        refunded_minor: "0",
        succeeded: confirmed,
        keys: 1,
      });
    }
    expect(await query("payments", "SELECT id FROM refunds")).toEqual([]);

    // Stock balanced: on hand untouched (nothing shipped), reserved exactly what the confirmed
    // orders hold, a declined order's reservation released, each movement made once.
    const confirmedUnits = products.map(() => 0);
    for (const order of placed.filter((each) => each.token === "tok_visa"))
      for (const line of order.lines) confirmedUnits[line.product]! += line.quantity;
    for (const [index, product] of products.entries()) {
      const { product: answered } = await graphqlData<{
        product: { stock: { onHand: number; reserved: number; available: number } };
      }>(routerUrls[index % 2]!, `query($id: ID!) { product(id: $id) { stock { onHand reserved available } } }`, {
        token: admin.accessToken,
        variables: { id: product.id },
      });
      expect({ product: index, ...answered.stock }).toEqual({
        product: index,
        onHand: initialStock,
        reserved: confirmedUnits[index],
        available: initialStock - confirmedUnits[index]!,
      });
    }
    const movements = await query<{ order_id: string; kind: string; units: number; count: number }>(
      "inventory",
      `SELECT order_id::text, kind::text, sum(reserved_delta)::int AS units, count(*)::int AS count
         FROM stock_movements WHERE order_id IS NOT NULL GROUP BY order_id, kind`,
    );
    const movementsOf = (id: string) =>
      movements
        .filter((row) => row.order_id === id)
        .map((row) => `${row.kind}:${row.units}x${row.count}`)
        .sort();
    for (const order of placed) {
      const units = order.lines.reduce((sum, line) => sum + line.quantity, 0);
      expect({ order: order.id, movements: movementsOf(order.id) }).toEqual({
        order: order.id,
        movements:
          order.token === "tok_visa"
            ? [`RESERVATION:${units}x${order.lines.length}`]
            : [`RELEASE:${-units}x${order.lines.length}`, `RESERVATION:${units}x${order.lines.length}`],
      });
    }

    // Through the routers, as the customers see it: each order with its payment (orders and
    // payments), each customer's inbox told once of each confirmation and cancellation (users and
    // notifications). These reads reach the restarted replicas too.
    for (const order of placed) {
      const { order: seen } = await graphqlData<{
        order: { status: string; payment: { status: string; amount: { amount: string } } | null };
      }>(
        routerUrls[order.customer % 2]!,
        `query($id: ID!) { order(id: $id) { status payment { status amount { amount } } } }`,
        {
          token: customers[order.customer]!.accessToken,
          variables: { id: order.id },
        },
      );
      expect({ order: order.id, status: seen.status, payment: seen.payment?.status }).toEqual({
        order: order.id,
        status: expected(order),
        payment: order.token === "tok_visa" ? "SUCCEEDED" : "FAILED",
      });
    }
    const inboxOf = async (customer: number) => {
      const { me } = await graphqlData<{ me: { notifications: { edges: Array<{ node: { kind: string } }> } } }>(
        routerUrls[customer % 2]!,
        `{ me { notifications(first: 100, channel: IN_APP) { edges { node { kind } } } } }`,
        { token: customers[customer]!.accessToken },
      );
      const kinds = me.notifications.edges.map((edge) => edge.node.kind);
      return {
        customer,
        confirmed: kinds.filter((kind) => kind === "ORDER_CONFIRMED").length,
        cancelled: kinds.filter((kind) => kind === "ORDER_CANCELLED").length,
      };
    };
    const inboxExpected = customers.map((_, customer) => {
      const mine = placed.filter((order) => order.customer === customer);
      return {
        customer,
        confirmed: mine.filter((order) => order.token === "tok_visa").length,
        cancelled: mine.filter((order) => order.token === "tok_declined").length,
      };
    });
    // Notifications applies the confirmations after orders made them: wait for as many, then
    // check there are no more.
    const inboxes = await waitFor(
      async () => {
        const seen = await Promise.all(customers.map((_, customer) => inboxOf(customer)));
        return seen.every(
          (inbox, customer) =>
            inbox.confirmed >= inboxExpected[customer]!.confirmed &&
            inbox.cancelled >= inboxExpected[customer]!.cancelled,
        )
          ? seen
          : undefined;
      },
      "every customer's inbox to tell of each settled order",
      30_000,
    );
    expect(inboxes).toEqual(inboxExpected);

    // Every subscriber was told the final status of each of its orders, once.
    await waitFor(
      () =>
        placed.every((order) =>
          watches[order.customer]!.messages.some(
            (message) =>
              message.data?.myOrderUpdates?.id === order.id && message.data.myOrderUpdates.status === expected(order),
          ),
        ),
      "every subscriber to hear the final status of each of its orders",
      30_000,
    );
    for (const [index, watch] of watches.entries()) {
      expect({ customer: index, errors: watch.messages.flatMap((message) => message.errors ?? []) }).toEqual({
        customer: index,
        errors: [],
      });
      const finals = watch.messages
        .map((message) => message.data?.myOrderUpdates as { id: string; status: string } | undefined)
        .filter((update) => update && ["CONFIRMED", "CANCELLED"].includes(update.status))
        .map((update) => `${update!.id}:${update!.status}`)
        .sort();
      expect(finals).toEqual(
        placed
          .filter((order) => order.customer === index)
          .map((order) => `${order.id}:${expected(order)}`)
          .sort(),
      );
    }

    // Nothing given up on, nothing left in an outbox.
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    try {
      const deadLetters = await (await nats.jetstreamManager()).streams.info(streamName(testId, "deadletter"));
      expect(deadLetters.state.messages).toBe(0);
    } finally {
      await nats.close();
    }
    await waitFor(
      async () => {
        for (const name of serviceNames) {
          const [row] = await query<{ count: number }>(
            name,
            "SELECT count(*)::int AS count FROM outbox_event WHERE published_at IS NULL",
          );
          if (row?.count !== 0) return false;
        }
        return true;
      },
      "every outbox to be published",
      30_000,
    );

    // Both replicas of every subgraph took requests, before the kill and after the restart.
    for (const name of serviceNames) {
      const served = balancers[name].served;
      expect({
        service: name,
        served: [`${name}-a`, `${name}-b`, `${name}-a-restarted`].map((label) => (served.get(label) ?? 0) > 0),
      }).toEqual({ service: name, served: [true, true, true] });
    }

    for (const client of clients) await client.dispose();
    mark("checked");
    passed = true;
    console.info(
      `two of everything: ${phases.join(", ")}; ${total} orders (${placed.filter((order) => order.sends > 1).length} sent again), ` +
        `requests per replica: ${serviceNames
          .map((name) => `${name} ${[...balancers[name].served.values()].join("/")} (${balancers[name].failed} failed)`)
          .join(", ")}`,
    );
  }, 420_000);
});
