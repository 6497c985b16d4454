/**
 * The notifications service's cost per order, alone: batches of `orders.order.status_changed`
 * (CONFIRMED, a guest's order: in-app, email, SMS and push rows) applied through its consumer's
 * batch path, then every email sent over SMTP by its delivery worker. Reports this process's CPU
 * (the service, its pg client, and the test SMTP server, which receives the same mail either way)
 * per order, and the SQL statements per order. Not a test: run it by hand on a quiet machine,
 *
 *   npx tsx bench/notifyBatch.ts   (NOTIFY_BENCH_BATCHES, NOTIFY_BENCH_BATCH_SIZE)
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import pg from "pg";
import { createEnvelope, type EventEnvelope } from "../subgraphs/common/events/envelope";
import { recordSentStatements, uncountedClient } from "../test/support/sqlCounter";
import { SmtpTestServer } from "../test/support/smtpTestServer";
import { startServices } from "../test/support/testServices";
import { waitFor } from "../test/support/waitFor";

const batches = Number(process.env.NOTIFY_BENCH_BATCHES ?? 50);
const batchSize = Number(process.env.NOTIFY_BENCH_BATCH_SIZE ?? 20);

const confirmed = (index: number): EventEnvelope<"orders.order.status_changed"> =>
  createEnvelope("orders", {
    type: "orders.order.status_changed",
    data: {
      orderId: randomUUID(),
      number: `B-${index}`,
      customerId: randomUUID(),
      from: "AWAITING_PAYMENT",
      status: "CONFIRMED",
      cancellationReason: null,
      reason: null,
      total: { amount: "6.00", currency: "EUR" },
      lines: [
        { productId: randomUUID(), name: "Benched", quantity: 2, unitPrice: { amount: "3.00", currency: "EUR" } },
      ],
      shipment: null,
      at: new Date().toISOString(),
      guestEmail: `bench-${index}@example.com`,
    },
  });

async function main() {
  const smtp = await SmtpTestServer.start();
  const services = await startServices(["notifications"], {
    router: false,
    settings: { notifications: { SMTP_URL: smtp.url, MAIL_FROM: "Commerce <no-reply@shop.test>", LOG_LEVEL: "warn" } },
  });
  const probe: pg.Client = await uncountedClient(services.notifications.runtime.databaseUrl);
  try {
    const consumer = services.notifications.runtime.consumers.find(
      (each) => each.name === "notifications__orders_order_status_changed",
    )!;
    const pending = async () =>
      Number(
        (await probe.query<{ n: string }>("SELECT count(*) AS n FROM notifications WHERE delivery_status = 'PENDING'"))
          .rows[0]!.n,
      );
    let next = 0;
    const run = async (count: number) => {
      for (let batch = 0; batch < count; batch += 1) {
        await consumer.applyBatch(Array.from({ length: batchSize }, () => confirmed((next += 1))));
      }
      await waitFor(async () => (await pending()) === 0, "every email sent", 120_000);
    };
    await run(3); // warm-up: prepared statements, template parses, SMTP pool
    const orders = batches * batchSize;
    // NOTIFY_BENCH_PROFILE=<file>: a V8 CPU profile of the measured window only (no start-up).
    const profileTo = process.env.NOTIFY_BENCH_PROFILE;
    const session = profileTo ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { statements } = await recordSentStatements(() => run(batches));
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (session && profileTo) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(profileTo, JSON.stringify(profile));
      session.disconnect();
    }
    const database = new URL(services.notifications.runtime.databaseUrl).pathname.slice(1);
    const ours = statements.filter((each) => each.database === database);
    console.log(
      JSON.stringify({
        orders,
        batchSize,
        cpuMsPerOrder: +((cpu.user + cpu.system) / 1000 / orders).toFixed(3),
        wallMsPerOrder: +(wallMs / orders).toFixed(3),
        statementsPerOrder: +(ours.length / orders).toFixed(2),
      }),
    );
  } finally {
    await probe.end();
    await services.cleanUp();
    await smtp.pause();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
