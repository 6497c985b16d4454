import { createPaymentsService, type SimulatedPaymentProvider } from "../../../subgraphs/payments";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, stockOf, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startTestSubgraph } from "../../support/testSubgraph";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

/**
 * Payments when the provider and the rest of the saga do not line up: a capture that lands after
 * the order was closed (the test holds the provider's captures, so nothing races a clock), a refund
 * the provider refuses, and a refund asked of another payments process than the one that captured.
 */
describe("payments: late captures and refunds across processes", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: {
        orders: { PAYMENT_WINDOW_SECONDS: "3", PAYMENT_WINDOW_SCAN_MS: "100" },
        payments: { PAYMENT_RETRY_BASE_MS: "50", PAYMENT_WORKER_INTERVAL_MS: "100" },
      },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  const paymentOf = (orderId: string) =>
    waitFor(
      () => services.payments.runtime.db.payment.findUnique({ where: { orderId } }).then((found) => found ?? undefined),
      "the payment to open",
    );
  const paymentNow = (paymentId: string) =>
    services.payments.runtime.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const cancelOrder = (orderId: string) =>
    graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id } }`, {
      token: customer.accessToken,
      variables: { id: orderId },
    });
  const refundMutation = `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { status refundedAmount { amount } } }`;

  /**
   * Places an order for one unit of `product` while the provider answers no capture, and waits for
   * its capture to reach the provider; the caller lets the provider go with `release`.
   */
  async function placeWithCaptureHeld(productId: string) {
    const release = services.payments.provider.holdCaptures();
    try {
      const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId, quantity: 1 }]));
      const paymentId = (await paymentOf(placed.id)).id;
      await waitFor(
        () => services.payments.provider.isCapturing(`capture:${paymentId}`),
        "the capture to reach the provider",
      );
      return { placed, paymentId, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The provider's refund calls for this payment: each must name the payment's own capture. */
  async function expectRefundCallsOnOwnCapture(paymentId: string, results: string[]) {
    const db = services.payments.runtime.db;
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment.captureReference).toMatch(/^ch_[0-9a-f]{16}$/);
    const refunds = await db.refund.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
    const calls = services.payments.provider.log.filter(
      (entry) => entry.kind === "refund" && refunds.some((refund) => entry.idempotencyKey === `refund:${refund.id}`),
    );
    expect(calls.map((call) => ({ captureReference: call.captureReference, result: call.result }))).toEqual(
      results.map((result) => ({ captureReference: payment.captureReference, result })),
    );
  }

  /** What payments recorded and told the others about a payment that was captured late. */
  async function expectCapturedThenRefunded(paymentId: string, orderId: string, amountMinor: bigint, amount: string) {
    const db = services.payments.runtime.db;
    const attempts = await db.paymentAttempt.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
    expect(attempts.map(({ kind, outcome, amountMinor: attempted }) => ({ kind, outcome, amount: attempted }))).toEqual(
      [
        { kind: "CAPTURE", outcome: "SUCCEEDED", amount: amountMinor },
        { kind: "REFUND", outcome: "SUCCEEDED", amount: amountMinor },
      ],
    );
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment).toMatchObject({
      status: "REFUNDED",
      refundedMinor: amountMinor,
      captureReference: attempts[0]!.providerReference,
    });
    // The provider charged once and gave all of it back, each under its own idempotency key,
    // and the refund named this payment's capture (not some other well-formed one).
    const provider = services.payments.provider;
    expect(provider.capturesFor(`capture:${paymentId}`)).toBe(1);
    const refunds = await db.refund.findMany({ where: { paymentId } });
    expect(refunds).toHaveLength(1);
    expect(
      provider.log.filter((entry) => entry.kind === "refund" && entry.idempotencyKey === `refund:${refunds[0]!.id}`),
    ).toEqual([
      {
        kind: "refund",
        idempotencyKey: `refund:${refunds[0]!.id}`,
        amountMinor,
        captureReference: payment.captureReference,
        result: "refunded",
      },
    ]);
    const refunded = await db.outboxEvent.findMany({
      where: { type: "payments.payment.refunded", envelope: { path: ["data", "orderId"], equals: orderId } },
    });
    expect(refunded.map((row) => (row.envelope as { data: unknown }).data)).toEqual([
      expect.objectContaining({ paymentId, fullyRefunded: true, refundedTotal: expect.objectContaining({ amount }) }),
    ]);
  }

  it("refunds in full a capture that lands after the customer cancelled", async () => {
    const provider = services.payments.provider;
    const product = await build.product({ name: "Held Card Lamp", price: "18.00", stock: 3 });
    // The provider answers no capture until released: the cancellation wins without racing a clock.
    const { placed, paymentId, release } = await placeWithCaptureHeld(product.id);
    try {
      await cancelOrder(placed.id);
      // Payments closes the payment while the provider is still taking the money.
      await waitFor(async () => (await paymentNow(paymentId)).status === "FAILED", "the payment to be closed");
      const cancelled = await waitForOrder(
        url,
        customer.accessToken,
        placed.id,
        (each) => each.status === "CANCELLED" && each.payment?.status === "FAILED",
        "the order to be cancelled",
      );
      expect(cancelled).toMatchObject({
        cancellationReason: "CANCELLED_BY_CUSTOMER",
        payment: { status: "FAILED", refundedAmount: { amount: "0.00" } },
      });
      expect(provider.isCapturing(`capture:${paymentId}`)).toBe(true);
      expect(provider.capturesFor(`capture:${paymentId}`)).toBe(0);
    } finally {
      release();
    }

    const payment = await paymentNow(paymentId);
    const order = await waitForOrder(
      url,
      customer.accessToken,
      payment.orderId,
      (each) => each.payment?.status === "REFUNDED",
      "the late capture to be refunded",
    );
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "CANCELLED_BY_CUSTOMER",
      payment: {
        status: "REFUNDED",
        amount: { amount: "18.00" },
        refundedAmount: { amount: "18.00" },
        failureReason: null,
      },
    });
    expect(order.statusHistory.map((change) => change.status)).toEqual(["PENDING", "AWAITING_PAYMENT", "CANCELLED"]);
    await expectCapturedThenRefunded(paymentId, payment.orderId, 1_800n, "18.00");
    await waitFor(
      async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
  });

  it("refunds in full a capture that lands after the payment window closed (PAYMENT_TIMEOUT)", async () => {
    const provider = services.payments.provider;
    const product = await build.product({ name: "Held Card Chair", price: "42.50", stock: 2 });
    const { placed, paymentId, release } = await placeWithCaptureHeld(product.id);
    try {
      // The 3 s payment window closes while the capture is held.
      const timedOut = await waitForOrder(
        url,
        customer.accessToken,
        placed.id,
        (each) => each.status === "CANCELLED" && each.payment?.status === "FAILED",
        "the payment window to close",
      );
      expect(timedOut).toMatchObject({
        cancellationReason: "PAYMENT_TIMEOUT",
        payment: { status: "FAILED", refundedAmount: { amount: "0.00" } },
      });
      expect(provider.isCapturing(`capture:${paymentId}`)).toBe(true);
      expect(provider.capturesFor(`capture:${paymentId}`)).toBe(0);
    } finally {
      release();
    }

    const payment = await paymentNow(paymentId);
    const order = await waitForOrder(
      url,
      customer.accessToken,
      payment.orderId,
      (each) => each.payment?.status === "REFUNDED",
      "the late capture to be refunded",
    );
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "PAYMENT_TIMEOUT",
      payment: { refundedAmount: { amount: "42.50" }, failureReason: null },
    });
    await expectCapturedThenRefunded(paymentId, payment.orderId, 4_250n, "42.50");
  });

  it("answers CONFLICT when the provider refuses a back-office refund, and records the refund FAILED with a DECLINED attempt", async () => {
    const product = await build.product({ name: "Closed Card Kettle", price: "30.00", stock: 2 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_refund_refused"),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");

    const answer = await graphql(url, refundMutation, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, amount: "5.00", reason: "scratched" } },
    });
    expect(answer.data).toBeNull();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]).toMatchObject({
      message: expect.stringMatching(/provider refused this refund, so nothing was refunded/),
      extensions: { code: "CONFLICT" },
    });
    expect(answer.errors![0]!.message).not.toMatch(/simulated provider|ch_/);

    const db = services.payments.runtime.db;
    const payment = await db.payment.findUniqueOrThrow({ where: { orderId: placed.id } });
    expect(payment).toMatchObject({ status: "SUCCEEDED", refundedMinor: 0n });
    expect(
      await db.refund.findMany({
        where: { paymentId: payment.id },
        select: { status: true, amountMinor: true, reason: true },
      }),
    ).toEqual([{ status: "FAILED", amountMinor: 500n, reason: "scratched" }]);
    await expectRefundCallsOnOwnCapture(payment.id, ["refused: expired_or_canceled_card"]);

    // The back office sees the refusal among the payment's attempts; the order is unchanged.
    const { order } = await graphqlData(
      url,
      `query($id: ID!) { order(id: $id) { status payment { status refundedAmount { amount } attempts { kind outcome amount { amount } error } } } }`,
      {
        token: admin.accessToken,
        variables: { id: placed.id },
      },
    );
    expect(order).toEqual({
      status: "CONFIRMED",
      payment: {
        status: "SUCCEEDED",
        refundedAmount: { amount: "0.00" },
        attempts: [
          { kind: "CAPTURE", outcome: "SUCCEEDED", amount: { amount: "30.00" }, error: null },
          {
            kind: "REFUND",
            outcome: "DECLINED",
            amount: { amount: "5.00" },
            error: expect.stringMatching(/expired_or_canceled_card/),
          },
        ],
      },
    });
  });

  it("keeps a trace when the provider refuses to refund a late capture: the refund is FAILED, the attempt DECLINED, and an error is logged", async () => {
    const provider = services.payments.provider;
    const logged = jest.spyOn(services.payments.runtime.logger, "error");
    try {
      const product = await build.product({ name: "Closed Card Stool", price: "7.00", stock: 2 });
      let paymentId: string;
      const release = provider.holdCaptures();
      try {
        const placed = await placeOrder(
          url,
          customer.accessToken,
          placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_refund_refused"),
        );
        paymentId = (await paymentOf(placed.id)).id;
        await waitFor(() => provider.isCapturing(`capture:${paymentId}`), "the capture to reach the provider");
        await cancelOrder(placed.id);
        await waitFor(async () => (await paymentNow(paymentId)).status === "FAILED", "the payment to be closed");
      } finally {
        release();
      }

      const db = services.payments.runtime.db;
      const refund = await waitFor(
        () => db.refund.findFirst({ where: { paymentId, status: "FAILED" } }).then((found) => found ?? undefined),
        "the refund to be refused",
      );
      expect(refund).toMatchObject({ amountMinor: 700n, nextAttemptAt: null });
      const payment = await paymentNow(paymentId);
      // The money is still captured, and says so: captured, nothing refunded.
      expect(payment).toMatchObject({ status: "SUCCEEDED", refundedMinor: 0n, orderCancelled: true });
      const attempts = await db.paymentAttempt.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
      expect(attempts.map(({ kind, outcome, amountMinor }) => ({ kind, outcome, amountMinor }))).toEqual([
        { kind: "CAPTURE", outcome: "SUCCEEDED", amountMinor: 700n },
        { kind: "REFUND", outcome: "DECLINED", amountMinor: 700n },
      ]);
      await expectRefundCallsOnOwnCapture(paymentId, ["refused: expired_or_canceled_card"]);
      await waitFor(
        () => logged.mock.calls.some(([fields]) => (fields as { refundId?: string }).refundId === refund.id),
        "the refusal to be logged",
      );
      const [fields, message] = logged.mock.calls.find(
        ([each]) => (each as { refundId?: string }).refundId === refund.id,
      )!;
      expect(fields).toMatchObject({
        refundId: refund.id,
        paymentId,
        orderId: payment.orderId,
        amount: "7.00",
        currency: "USD",
        captureReference: payment.captureReference,
      });
      expect(message).toMatch(/refused a refund.*money is still captured/);
    } finally {
      logged.mockRestore();
    }
  });

  it("refunds a payment captured before payments restarted: the new process's provider accepts the capture reference", async () => {
    const product = await build.product({ name: "Restart Proof Mug", price: "11.00", stock: 2 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");

    const port = services.payments.port;
    await services.payments.stop();
    const restarted = createPaymentsService();
    services.payments = Object.assign(
      await startTestSubgraph(restarted, services.testId, { ...services.shared, PORT: String(port) }),
      {
        provider: restarted.provider as SimulatedPaymentProvider,
      },
    );

    const partial = await graphqlData(url, refundMutation, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, amount: "4.00", reason: "dented" } },
    });
    expect(partial.refundOrder).toEqual({ status: "PARTIALLY_REFUNDED", refundedAmount: { amount: "4.00" } });
    const rest = await graphqlData(url, refundMutation, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id } },
    });
    expect(rest.refundOrder).toEqual({ status: "REFUNDED", refundedAmount: { amount: "11.00" } });
    expect(
      services.payments.provider.log.filter((entry) => entry.kind === "refund").map((entry) => entry.amountMinor),
    ).toEqual([400n, 700n]);
    await expectRefundCallsOnOwnCapture((await paymentOf(placed.id)).id, ["refunded", "refunded"]);
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "REFUNDED", "REFUNDED");
  });
});
