/**
 * What the payments service costs its process per order from the payment request to the
 * published capture, measured alone (not a test): batches of `orders.payment.requested` applied
 * by the service's own consumer (`applyBatch`, as a pull of that many deliveries is), the worker
 * woken by the commit capturing with the simulated provider, the outcome written and its event
 * published. The batch's captures are awaited on a NATS subscription (no polling).
 *
 *   npx tsx bench/paymentsCaptureCost.ts [batches] [eventsPerBatch]
 *
 * Prints CPU (user+system) of the process per order, and the statements sent per order.
 */
import { randomUUID } from "node:crypto";
import { createEnvelope } from "../subgraphs/common/events/envelope";
import { subjectFor } from "../subgraphs/common/events/streams";
import { startServices } from "../test/support/testServices";
import { measure, per, runStandalone } from "./standalone";

const batches = Number(process.argv[2] ?? 200);
const perBatch = Number(process.argv[3] ?? 8);

async function main(): Promise<void> {
  const services = await startServices(["payments"], {
    router: false,
    settings: { payments: { PAYMENT_WORKER_INTERVAL_MS: "3600000" } },
  });
  const { runtime } = services.payments;
  const consumer = runtime.consumers.find((each) => each.name === "payments__orders_payment_requested");
  if (!consumer) throw new Error("no consumer of orders.payment.requested");
  // The captures as they are published (a core subscription sees JetStream's publishes), not polled for.
  const captured = new Set<string>();
  let onCapture: (() => void) | undefined;
  const subscription = runtime.nats.subscribe(subjectFor(runtime.env.NATS_NAMESPACE, "payments.payment.captured"), {
    callback: (_error, message) => {
      captured.add((message.json() as { data: { orderId: string } }).data.orderId);
      onCapture?.();
    },
  });
  const published = (orderIds: string[]) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!orderIds.every((orderId) => captured.has(orderId))) return;
        onCapture = undefined;
        resolve();
      };
      onCapture = check;
      check();
    });
  const runBatch = async () => {
    const orderIds = Array.from({ length: perBatch }, () => randomUUID());
    const events = orderIds.map((orderId) =>
      createEnvelope("orders", {
        type: "orders.payment.requested",
        data: {
          orderId,
          customerId: randomUUID(),
          amount: { amount: "12.50", currency: "USD" },
          paymentToken: "tok_visa",
          deadline: new Date(Date.now() + 3_600_000).toISOString(),
        },
      }),
    );
    await consumer.applyBatch(events);
    await published(orderIds);
  };
  for (let index = 0; index < 20; index += 1) await runBatch();
  const { cpuMs, wallMs, statements } = await measure(async () => {
    for (let index = 0; index < batches; index += 1) await runBatch();
  });
  const orders = batches * perBatch;
  console.log(
    JSON.stringify({
      batches,
      perBatch,
      cpuMsPerOrder: per(cpuMs, orders),
      statementsPerOrder: per(statements.length, orders),
      wallMs: Math.round(wallMs),
    }),
  );
  subscription.unsubscribe();
  await services.cleanUp();
}

runStandalone(main);
