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
import pg from "pg";
import { createEnvelope, type EventEnvelope } from "../subgraphs/common/events/envelope";
import { uncountedClient } from "../test/support/sqlCounter";
import { SmtpTestServer } from "../test/support/smtpTestServer";
import { startServices } from "../test/support/testServices";
import { waitFor } from "../test/support/waitFor";
import { measure, per, runStandalone } from "./standalone";

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
    const { cpuMs, wallMs, statements } = await measure(() => run(batches), {
      profileTo: process.env.NOTIFY_BENCH_PROFILE,
    });
    const database = new URL(services.notifications.runtime.databaseUrl).pathname.slice(1);
    const ours = statements.filter((each) => each.database === database);
    console.log(
      JSON.stringify({
        orders,
        batchSize,
        cpuMsPerOrder: per(cpuMs, orders),
        wallMsPerOrder: per(wallMs, orders),
        statementsPerOrder: per(ours.length, orders),
      }),
    );
  } finally {
    await probe.end();
    await services.cleanUp();
    await smtp.pause();
  }
}

runStandalone(main);
