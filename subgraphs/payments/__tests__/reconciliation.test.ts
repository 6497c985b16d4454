import { randomUUID } from "node:crypto";
import type { EventData, EventType } from "../../common/events/catalog";
import type { EventHandler } from "../../common/events/eventConsumer";
import { createEnvelope } from "../../common/events/envelope";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import { simulatedProvider, stripeProvider, type ProviderUnderTest } from "../../../test/support/paymentProviders";
import { startServices, type TestServices } from "../../../test/support/testServices";
import { startTestSubgraph } from "../../../test/support/testSubgraph";
import { waitFor } from "../../../test/support/waitFor";
import { attemptCapture } from "../domain/captures";
import type { PaymentsDependencies } from "../domain/dependencies";
import { reconcileAttempt } from "../domain/reconciliation";
import { attemptRefund } from "../domain/refunds";
import type { PaymentsEnvironment } from "../environment";
import { paymentsEventHandlers } from "../events/handlers";
import { configuredProviders } from "../provider/configuredProviders";
import { createPaymentsService } from "../service";
import type { PaymentsTx } from "../store/database";
import { createRefund, openAttempt } from "../store/paymentStore";

/** The failure a crash leaves: the provider answered, and the process's commit never happened. */
class CommitLost extends Error {
  constructor() {
    super("the process died before its commit");
  }
}

/**
 * Reconciliation, with each provider: a call whose answer was never recorded (the provider
 * answered, then the process died or its commit failed) is looked up at the provider and settled
 * exactly once, however often reconciliation runs; also at start, by the worker of a new
 * process; also when the order was cancelled meanwhile (the capture is then refunded).
 */
describe.each([
  ["simulated", simulatedProvider],
  ["stripe", stripeProvider],
])(
  "reconciliation with the %s provider",
  (_name, makeProvider: () => ProviderUnderTest | Promise<ProviderUnderTest>) => {
    let provider: ProviderUnderTest;
    let services: TestServices<"payments">;
    let settings: Record<string, string>;

    beforeAll(async () => {
      provider = await makeProvider();
      // The worker never looks for work on its own here: the test decides when reconciliation runs,
      // except where a commit wakes it (a refund to make).
      settings = { ...provider.settings, PAYMENT_WORKER_INTERVAL_MS: "3600000", PAYMENT_RECONCILE_AFTER_SECONDS: "1" };
      services = await startServices(["payments"], { router: false, settings: { payments: settings } });
      provider.attach(services.payments.url, services.payments.provider);
      // What a lost answer leaves is then known only by asking the provider (as when its webhooks do not arrive).
      provider.loseNotifications();
    });

    afterAll(async () => {
      await services?.cleanUp();
      await provider?.close();
    });

    const db = () => services.payments.runtime.db;
    const depsOf = (unitOfWork?: UnitOfWork<PaymentsTx>): PaymentsDependencies => {
      const { runtime } = services.payments;
      return {
        db: runtime.db,
        unitOfWork: unitOfWork ?? runtime.unitOfWork,
        providers: configuredProviders(runtime.env as unknown as PaymentsEnvironment, services.payments.provider),
        retry: { baseMs: 50, maxMs: 100 },
        logger: runtime.logger,
        unreachableWindowMs: 60_000,
        reconcileAfterMs: 1_000,
      };
    };
    /** Commits nothing: the work runs, then the transaction is lost, as when a process dies at its commit. */
    const crashingUnitOfWork: UnitOfWork<PaymentsTx> = (work, transaction) =>
      services.payments.runtime.unitOfWork(async (tx, emit) => {
        await work(tx, emit);
        throw new CommitLost();
      }, transaction);

    /** Runs the service's handler of an event; `then` runs in the same transaction, after it. */
    async function handle<T extends EventType>(
      type: T,
      data: EventData<T>,
      then: (tx: PaymentsTx) => Promise<unknown> = () => Promise.resolve(),
    ): Promise<void> {
      const handler = paymentsEventHandlers({ defaultProvider: provider.name }).find(
        (each) => each.type === type,
      ) as unknown as EventHandler<PaymentsTx, T>;
      // The worker is not woken: the test makes the captures itself.
      await services.payments.runtime.unitOfWork(async (tx, emit) => {
        const unwoken: Emit = Object.assign(
          <E extends EventType>(event: E, eventData: EventData<E>) => emit(event, eventData),
          { wake: () => undefined },
        );
        await handler.handle(createEnvelope("orders", { type, data }), tx, unwoken);
        await then(tx);
      });
    }

    /**
     * A payment opened as orders asks for it, and taken by a worker as the worker takes it (leased
     * for 30 s), in the same transaction: the service's own worker (its tick at start may still be
     * under way) never finds it due.
     */
    async function openPayment(amount = "33.00") {
      const orderId = randomUUID();
      const customerId = randomUUID();
      const leased = new Date(Date.now() + 30_000);
      await handle(
        "orders.payment.requested",
        {
          orderId,
          customerId,
          amount: { amount, currency: "USD" },
          paymentToken: provider.cards.paid,
          deadline: new Date(Date.now() + 600_000).toISOString(),
        },
        (tx) => tx.payment.updateMany({ where: { orderId }, data: { nextAttemptAt: leased } }),
      );
      const payment = await db().payment.findUniqueOrThrow({ where: { orderId } });
      expect(payment).toMatchObject({ status: "PENDING", nextAttemptAt: leased });
      return { ...payment, customerId };
    }

    /** The provider takes the money, and the process dies before recording it. */
    async function captureAndCrash(paymentId: string) {
      await expect(attemptCapture(depsOf(crashingUnitOfWork), paymentId)).rejects.toBeInstanceOf(CommitLost);
      expect(provider.paymentsAt(paymentId)).toEqual(["captured"]);
      const [attempt] = await db().paymentAttempt.findMany({ where: { paymentId } });
      expect(attempt).toMatchObject({ kind: "CAPTURE", outcome: "UNKNOWN", nextAttemptAt: expect.any(Date) });
      expect(await db().payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ status: "PENDING" });
      return attempt!;
    }

    const eventsOf = async (type: string, orderId: string) =>
      (
        await db().outboxEvent.findMany({
          where: { type, envelope: { path: ["data", "orderId"], equals: orderId } },
        })
      ).map((row) => (row.envelope as { data: unknown }).data);

    it("a crash between the provider call and the commit is reconciled exactly once", async () => {
      const payment = await openPayment("33.00");
      const attempt = await captureAndCrash(payment.id);
      expect(await eventsOf("payments.payment.captured", payment.orderId)).toEqual([]);

      // Reconciliation runs twice at once, then once more: it asks the provider, never charges.
      const deps = depsOf();
      await Promise.all([reconcileAttempt(deps, attempt.id), reconcileAttempt(deps, attempt.id)]);
      await reconcileAttempt(deps, attempt.id);

      const settled = await db().payment.findUniqueOrThrow({ where: { id: payment.id } });
      expect(settled).toMatchObject({ status: "SUCCEEDED", captureReference: expect.any(String) });
      expect(await eventsOf("payments.payment.captured", payment.orderId)).toEqual([
        { orderId: payment.orderId, paymentId: payment.id, amount: { amount: "33.00", currency: "USD" } },
      ]);
      expect(await db().paymentAttempt.findMany({ where: { paymentId: payment.id } })).toEqual([
        expect.objectContaining({
          outcome: "SUCCEEDED",
          providerReference: settled.captureReference,
          nextAttemptAt: null,
        }),
      ]);
      expect(provider.paymentsAt(payment.id)).toEqual(["captured"]);
      // The capture's next try (its lease over) finds the payment settled and asks nothing.
      await attemptCapture(deps, payment.id);
      expect(await db().paymentAttempt.count({ where: { paymentId: payment.id } })).toBe(1);
    });

    it("a new process reconciles at start what a crash left unsettled", async () => {
      const payment = await openPayment("12.00");
      await captureAndCrash(payment.id);

      // The call falls due a second after it was made; the new process starts once it is due.
      await waitFor(
        async () =>
          (await db().paymentAttempt.count({ where: { paymentId: payment.id, nextAttemptAt: { lte: new Date() } } })) >
          0,
        "the lost call to fall due",
      );
      const { port } = services.payments;
      await services.payments.stop();
      // The provider is outside the process: the restarted service talks to the same one.
      const restarted = createPaymentsService({ simulated: services.payments.provider });
      services.payments = Object.assign(
        await startTestSubgraph(restarted, services.testId, { ...services.shared, ...settings, PORT: String(port) }),
        { provider: services.payments.provider },
      );
      // Its worker's first tick, at start, settles it (the payment itself is still leased to the dead worker).
      await waitFor(
        () =>
          db()
            .payment.findUniqueOrThrow({ where: { id: payment.id } })
            .then((found) => (found.status === "SUCCEEDED" ? found : undefined)),
        "the restarted service to reconcile the payment",
      );
      expect(await eventsOf("payments.payment.captured", payment.orderId)).toHaveLength(1);
      expect(provider.paymentsAt(payment.id)).toEqual(["captured"]);
    });

    it("closes the known gap: an order cancelled while its capture's answer was lost gets the capture refunded", async () => {
      const payment = await openPayment("21.00");
      const attempt = await captureAndCrash(payment.id);
      await handle("orders.order.status_changed", {
        orderId: payment.orderId,
        number: "ORD-LOST-1",
        customerId: payment.customerId,
        from: "AWAITING_PAYMENT",
        status: "CANCELLED",
        cancellationReason: "CANCELLED_BY_CUSTOMER",
        reason: "changed my mind",
        total: { amount: "21.00", currency: "USD" },
        lines: [],
        shipment: null,
        at: new Date().toISOString(),
      });
      expect(await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ status: "FAILED" });

      await reconcileAttempt(depsOf(), attempt.id);
      // The capture is recorded and given back (the refund is made by the worker, which the commit woke).
      const refunded = await waitFor(
        () =>
          db()
            .payment.findUniqueOrThrow({ where: { id: payment.id } })
            .then((found) => (found.status === "REFUNDED" ? found : undefined)),
        "the found capture to be refunded",
      );
      expect(refunded).toMatchObject({ refundedMinor: 2_100n, orderCancelled: true });
      expect(provider.refundsOf(payment.id)).toEqual([2_100n]);
      expect(await eventsOf("payments.payment.refunded", payment.orderId)).toEqual([
        expect.objectContaining({ fullyRefunded: true, refundedTotal: { amount: "21.00", currency: "USD" } }),
      ]);
      await reconcileAttempt(depsOf(), attempt.id);
      expect(provider.refundsOf(payment.id)).toEqual([2_100n]);
    });

    it("a refund whose answer was lost is found at the provider and recorded once", async () => {
      const payment = await openPayment("40.00");
      await attemptCapture(depsOf(), payment.id);
      const refund = await db().$transaction((tx) =>
        createRefund(tx, { paymentId: payment.id, amountMinor: 1_500n, reason: "dented" }),
      );
      await expect(attemptRefund(depsOf(crashingUnitOfWork), refund.id)).rejects.toBeInstanceOf(CommitLost);
      expect(provider.refundsOf(payment.id)).toEqual([1_500n]);
      const lost = await db().paymentAttempt.findFirstOrThrow({ where: { paymentId: payment.id, kind: "REFUND" } });
      expect(lost.outcome).toBe("UNKNOWN");

      await Promise.all([reconcileAttempt(depsOf(), lost.id), reconcileAttempt(depsOf(), lost.id)]);
      expect(await db().refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "SUCCEEDED" });
      expect(await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
        status: "PARTIALLY_REFUNDED",
        refundedMinor: 1_500n,
      });
      expect(await eventsOf("payments.payment.refunded", payment.orderId)).toHaveLength(1);
      // The refund's next try finds it made, and the provider gives the money back once.
      await attemptRefund(depsOf(), refund.id);
      expect(provider.refundsOf(payment.id)).toEqual([1_500n]);
    });

    it("a call that never reached the provider is found nowhere: nothing is settled, and the capture's next try makes it", async () => {
      const payment = await openPayment("5.00");
      const attempt = await openAttempt(db(), {
        paymentId: payment.id,
        kind: "CAPTURE",
        amountMinor: payment.amountMinor,
        idempotencyKey: `capture:${payment.id}`,
        reconcileAt: new Date(),
      });
      await reconcileAttempt(depsOf(), attempt.id);
      expect(await db().paymentAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).toMatchObject({
        outcome: "TRANSIENT_ERROR",
        error: "the provider has no record of this call",
        nextAttemptAt: null,
      });
      expect(await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ status: "PENDING" });
      expect(provider.paymentsAt(payment.id)).toEqual([]);
      await attemptCapture(depsOf(), payment.id);
      expect(await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
        status: "SUCCEEDED",
      });
    });
  },
);
