import { randomUUID } from "node:crypto";
import type { TestServices } from "../../../test/support/testServices";
import { handleUnwoken, startPaymentsWithoutWorker } from "./support/paymentsWithoutWorker";
import { claimDue } from "../../common/dueWork/claimDue";
import { attemptCapture } from "../domain/captures";
import type { PaymentsDependencies } from "../domain/dependencies";
import { PaymentProviders } from "../provider/paymentProviders";
import { duePayments } from "../store/paymentStore";

/**
 * A payment request and the order's cancellation, handled at the same time by the two consumers:
 * the cancellation must not slip past a payment inserted but not yet committed (finding no payment,
 * it would record a closure, and the payment would then be captured for a cancelled order and
 * never refunded). The test holds the request's transaction open, so nothing races a clock.
 */
describe("payments: an order cancelled while its payment is being opened", () => {
  let services: TestServices<"payments">;

  beforeAll(async () => {
    // The payment worker is stopped: due captures are taken only by the test (below).
    services = await startPaymentsWithoutWorker();
  });

  afterAll(() => services?.cleanUp());

  const handle = handleUnwoken;

  /** Transactions of the payments database waiting for an advisory lock. */
  async function advisoryLockWaiters(): Promise<number> {
    const [row] = await services.payments.runtime.db.$queryRaw<Array<{ waiting: number }>>`
      SELECT count(*)::int AS waiting FROM pg_locks
       WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    return row!.waiting;
  }

  it("makes the cancellation wait for the payment being opened, then closes it: it is never captured", async () => {
    const { runtime, provider } = services.payments;
    const orderId = randomUUID();
    const customerId = randomUUID();
    const total = { amount: "25.00", currency: "USD" };

    let commitOpen!: () => void;
    const openMayCommit = new Promise<void>((resolve) => (commitOpen = resolve));
    let inserted!: () => void;
    const paymentInserted = new Promise<void>((resolve) => (inserted = resolve));
    let whileOpenHeld: { closed: boolean; waitingOnLock: number } | undefined;
    const open = runtime.unitOfWork(async (tx, emit) => {
      await handle(
        "orders.payment.requested",
        {
          orderId,
          customerId,
          amount: total,
          paymentToken: "tok_visa",
          deadline: new Date(Date.now() + 60_000).toISOString(),
        },
        tx,
        emit,
      );
      inserted();
      await openMayCommit;
    });
    try {
      await paymentInserted;
      let closed = false;
      const close = runtime
        .unitOfWork((tx, emit) =>
          handle(
            "orders.order.status_changed",
            {
              orderId,
              number: "ORD-RACE-1",
              customerId,
              from: "AWAITING_PAYMENT",
              status: "CANCELLED",
              cancellationReason: "CANCELLED_BY_CUSTOMER",
              reason: "changed my mind",
              total,
              lines: [],
              shipment: null,
              at: new Date().toISOString(),
            },
            tx,
            emit,
          ),
        )
        .finally(() => (closed = true));

      // The cancellation must wait for the payment's transaction, not decide without it: it
      // either finishes (wrongly) or is seen waiting on the order's lock.
      const deadline = Date.now() + 10_000;
      while (!closed && (await advisoryLockWaiters()) === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      whileOpenHeld = { closed, waitingOnLock: await advisoryLockWaiters() };

      commitOpen();
      await open;
      await close;
    } finally {
      commitOpen();
      await open.catch(() => undefined);
    }

    const db = runtime.db;
    const payment = await db.payment.findUniqueOrThrow({ where: { orderId } });
    expect(payment).toMatchObject({
      status: "FAILED",
      failureReason: "order_cancelled",
      orderCancelled: true,
      nextAttemptAt: null,
    });
    // The payment itself records the cancellation: no separate closure beside it.
    expect(await db.orderClosure.count({ where: { orderId } })).toBe(0);
    const failed = await db.outboxEvent.findMany({
      where: { type: "payments.payment.failed", envelope: { path: ["data", "orderId"], equals: orderId } },
    });
    expect(failed.map((row) => (row.envelope as { data: unknown }).data)).toEqual([
      { orderId, paymentId: payment.id, outcome: "ABANDONED", failureReason: "the order was cancelled" },
    ]);

    // The worker finds nothing to capture, and a capture tried anyway asks nothing of the provider.
    const deps: PaymentsDependencies = {
      db,
      unitOfWork: runtime.unitOfWork,
      providers: new PaymentProviders("simulated", [provider]),
      retry: { baseMs: 50, maxMs: 100 },
      logger: runtime.logger,
      unreachableWindowMs: 60_000,
      reconcileAfterMs: 60_000,
    };
    expect(await claimDue(db, duePayments, 20, 30_000)).not.toContain(payment.id);
    await attemptCapture(deps, payment.id);
    expect(
      provider.log.filter((entry) => entry.kind === "capture" && entry.idempotencyKey === `capture:${payment.id}`),
    ).toEqual([]);
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
      status: "FAILED",
      captureReference: null,
    });
    expect(whileOpenHeld).toEqual({ closed: false, waitingOnLock: 1 });
  });
});
