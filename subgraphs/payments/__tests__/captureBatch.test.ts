import { randomUUID } from "node:crypto";
import type { EventData } from "../../common/events/catalog";
import { subjectFor } from "../../common/events/streams";
import type { TestServices } from "../../../test/support/testServices";
import { handleUnwoken, startPaymentsWithoutWorker } from "./support/paymentsWithoutWorker";
import { captureBegun } from "../domain/captureBatch";
import type { PaymentsDependencies } from "../domain/dependencies";
import { PaymentProviders } from "../provider/paymentProviders";
import { claimPaymentWork } from "../store/captureBatchSql";

/**
 * The worker's batch of captures: the answers and their events are written by one statement,
 * and only for payments still as the worker took them. One changed meanwhile is settled on its
 * own, and its capture is told once, by that settlement: never also by the batch, which did not
 * write it.
 */
describe("payments: a batch of captures with a payment changed while it was being captured", () => {
  let services: TestServices<"payments">;

  beforeAll(async () => {
    // The payment worker is stopped: due captures are taken only by the test (below).
    services = await startPaymentsWithoutWorker();
  });

  afterAll(() => services?.cleanUp());

  /** Opens an order's payment as the service's handler does, without waking the worker. */
  async function openPayment(orderId: string): Promise<void> {
    const data: EventData<"orders.payment.requested"> = {
      orderId,
      customerId: randomUUID(),
      amount: { amount: "18.00", currency: "USD" },
      paymentToken: "tok_visa",
      deadline: new Date(Date.now() + 600_000).toISOString(),
    };
    await services.payments.runtime.unitOfWork((tx, emit) => handleUnwoken("orders.payment.requested", data, tx, emit));
  }

  it("writes the unchanged payment with its event, and settles the changed one on its own, each told once", async () => {
    const { runtime, provider } = services.payments;
    const db = runtime.db;
    const unchanged: string = randomUUID();
    const changed: string = randomUUID();
    await openPayment(unchanged);
    await openPayment(changed);
    const work = await claimPaymentWork(db, {
      limit: 20,
      leaseMs: 30_000,
      reconcileAt: new Date(Date.now() + 60_000),
    });
    const begun = work.captures.filter((each) => [unchanged, changed].includes(each.payment.orderId));
    expect(begun).toHaveLength(2);

    // Another writer (a webhook, say) touched one payment after the worker took it: still PENDING.
    await db.$executeRawUnsafe("UPDATE payments SET updated_at = clock_timestamp() WHERE order_id = $1::uuid", changed);

    // By event id: the outbox's slow poll may publish a row again before its stamp lands (JetStream
    // drops the copy by its message id, but a plain subscriber sees it), and that is not a second event.
    const toldIds = new Map<string, string>();
    const subscription = runtime.nats.subscribe(subjectFor(runtime.env.NATS_NAMESPACE, "payments.payment.captured"), {
      callback: (_error, message) => {
        const event = message.json() as { id: string; data: { orderId: string } };
        toldIds.set(event.id, event.data.orderId);
      },
    });
    const told = () => [...toldIds.values()];
    try {
      const deps: PaymentsDependencies = {
        db,
        unitOfWork: runtime.unitOfWork,
        ...(runtime.sqlUnitOfWork ? { sqlUnitOfWork: runtime.sqlUnitOfWork } : {}),
        providers: new PaymentProviders("simulated", [provider]),
        retry: { baseMs: 50, maxMs: 100 },
        logger: runtime.logger,
        unreachableWindowMs: 60_000,
        reconcileAfterMs: 60_000,
      };
      await captureBegun(deps, begun);

      for (const orderId of [unchanged, changed]) {
        const payment = await db.payment.findUniqueOrThrow({ where: { orderId } });
        expect(payment).toMatchObject({ status: "SUCCEEDED", captureReference: expect.any(String) });
        const rows = await db.outboxEvent.findMany({
          where: { type: "payments.payment.captured", envelope: { path: ["data", "orderId"], equals: orderId } },
        });
        expect(rows.map((row) => (row.envelope as { data: unknown }).data)).toEqual([
          { orderId, paymentId: payment.id, amount: { amount: "18.00", currency: "USD" } },
        ]);
      }
      // Published after each commit: once each, nothing published that was not written.
      const deadline = Date.now() + 5_000;
      while (!(told().includes(unchanged) && told().includes(changed)) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        told()
          .filter((orderId) => [unchanged, changed].includes(orderId))
          .sort(),
      ).toEqual([unchanged, changed].sort());
    } finally {
      subscription.unsubscribe();
    }
  });
});
