import { createPaymentsService } from "../../../subgraphs/payments/service";
import type { SimulatedPaymentProvider } from "../../../subgraphs/payments/provider/simulatedProvider";
import { graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, stockOf, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startTestSubgraph } from "../../support/testSubgraph";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

/**
 * Payments when the provider and the rest of the saga do not line up: a capture that lands after
 * the order was closed, and a refund asked of another payments process than the one that captured.
 */
describe("payments: late captures and refunds across processes", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: { orders: { PAYMENT_WINDOW_SECONDS: "3", PAYMENT_WINDOW_SCAN_MS: "100" }, payments: { PAYMENT_RETRY_BASE_MS: "50", PAYMENT_WORKER_INTERVAL_MS: "100" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  const paymentOf = (orderId: string) => waitFor(() => services.payments.runtime.db.payment.findUnique({ where: { orderId } }).then((found) => found ?? undefined), "the payment to open");

  /** What payments recorded and told the others about a payment that was captured late. */
  async function expectCapturedThenRefunded(paymentId: string, orderId: string, amountMinor: bigint) {
    const db = services.payments.runtime.db;
    const attempts = await db.paymentAttempt.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
    expect(attempts.map(({ kind, outcome, amountMinor: amount }) => ({ kind, outcome, amount }))).toEqual([
      { kind: "CAPTURE", outcome: "SUCCEEDED", amount: amountMinor },
      { kind: "REFUND", outcome: "SUCCEEDED", amount: amountMinor },
    ]);
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(payment).toMatchObject({ status: "REFUNDED", refundedMinor: amountMinor, captureReference: attempts[0]!.providerReference });
    // The provider charged once and gave all of it back, each under its own idempotency key.
    const provider = services.payments.provider;
    expect(provider.capturesFor(`capture:${paymentId}`)).toBe(1);
    const refunds = await db.refund.findMany({ where: { paymentId } });
    expect(refunds).toHaveLength(1);
    expect(provider.log.filter((entry) => entry.kind === "refund" && entry.idempotencyKey === `refund:${refunds[0]!.id}`)).toEqual([
      { kind: "refund", idempotencyKey: `refund:${refunds[0]!.id}`, amountMinor, result: "refunded" },
    ]);
    const refunded = await db.outboxEvent.findMany({ where: { type: "payments.payment.refunded", envelope: { path: ["data", "orderId"], equals: orderId } } });
    expect(refunded.map((row) => (row.envelope as { data: unknown }).data)).toEqual([expect.objectContaining({ paymentId, fullyRefunded: true, refundedTotal: expect.objectContaining({ amount: (Number(amountMinor) / 100).toFixed(2) }) })]);
  }

  it("refunds in full a capture that lands after the customer cancelled (tok_slow)", async () => {
    const provider: SimulatedPaymentProvider = services.payments.provider;
    provider.slowCaptureMs = 2_000;
    const product = await build.product({ name: "Slow Card Lamp", price: "18.00", stock: 3 });
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_slow"));
    const payment = await paymentOf(placed.id);
    await waitFor(() => provider.isCapturing(`capture:${payment.id}`), "the capture to reach the provider");

    await graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id, reason: "too slow") { id } }`, { token: customer.accessToken, variables: { id: placed.id } });
    // Payments closes the payment while the provider is still taking the money.
    await waitFor(async () => (await services.payments.runtime.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status === "FAILED", "the payment to be closed");
    expect(provider.isCapturing(`capture:${payment.id}`)).toBe(true);

    const order = await waitForOrder(url, customer.accessToken, placed.id, (each) => each.payment?.status === "REFUNDED", "the late capture to be refunded", 15_000);
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "CANCELLED_BY_CUSTOMER",
      payment: { status: "REFUNDED", amount: { amount: "18.00" }, refundedAmount: { amount: "18.00" }, failureReason: null },
    });
    expect(order.statusHistory.map((change) => change.status)).toEqual(["PENDING", "AWAITING_PAYMENT", "CANCELLED"]);
    await expectCapturedThenRefunded(payment.id, placed.id, 1_800n);
    await waitFor(async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0, "the stock to be released");
  });

  it("refunds in full a capture that lands after the payment window closed (PAYMENT_TIMEOUT, tok_slow)", async () => {
    const provider: SimulatedPaymentProvider = services.payments.provider;
    provider.slowCaptureMs = 5_000;
    const product = await build.product({ name: "Slow Card Chair", price: "42.50", stock: 2 });
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_slow"));
    const payment = await paymentOf(placed.id);
    await waitFor(() => provider.isCapturing(`capture:${payment.id}`), "the capture to reach the provider");

    const timedOut = await waitForOrder(url, customer.accessToken, placed.id, (each) => each.payment?.status === "FAILED", "the payment window to close", 10_000);
    expect(timedOut).toMatchObject({ status: "CANCELLED", cancellationReason: "PAYMENT_TIMEOUT" });
    expect(provider.isCapturing(`capture:${payment.id}`)).toBe(true);

    const order = await waitForOrder(url, customer.accessToken, placed.id, (each) => each.payment?.status === "REFUNDED", "the late capture to be refunded", 15_000);
    expect(order).toMatchObject({ status: "CANCELLED", cancellationReason: "PAYMENT_TIMEOUT", payment: { refundedAmount: { amount: "42.50" }, failureReason: null } });
    await expectCapturedThenRefunded(payment.id, placed.id, 4_250n);
  });

  it("refunds a payment captured before payments restarted: the new process's provider accepts the capture reference", async () => {
    const product = await build.product({ name: "Restart Proof Mug", price: "11.00", stock: 2 });
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }]));
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");

    const port = services.payments.port;
    await services.payments.stop();
    const restarted = createPaymentsService();
    services.payments = Object.assign(await startTestSubgraph(restarted, services.testId, { ...services.shared, PORT: String(port) }), {
      provider: restarted.provider as SimulatedPaymentProvider,
    });

    const refund = `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { status refundedAmount { amount } } }`;
    const partial = await graphqlData(url, refund, { token: admin.accessToken, variables: { input: { orderId: placed.id, amount: "4.00", reason: "dented" } } });
    expect(partial.refundOrder).toEqual({ status: "PARTIALLY_REFUNDED", refundedAmount: { amount: "4.00" } });
    const rest = await graphqlData(url, refund, { token: admin.accessToken, variables: { input: { orderId: placed.id } } });
    expect(rest.refundOrder).toEqual({ status: "REFUNDED", refundedAmount: { amount: "11.00" } });
    expect(services.payments.provider.log.filter((entry) => entry.kind === "refund").map((entry) => entry.amountMinor)).toEqual([400n, 700n]);
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "REFUNDED", "REFUNDED");
  });
});
