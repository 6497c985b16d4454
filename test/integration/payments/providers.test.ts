import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, stockOf, waitForOrder, type OrderView } from "../../support/checkout";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { simulatedProvider, stripeProvider, type ProviderUnderTest } from "../../support/paymentProviders";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";
import { ErrorCode } from "../../../subgraphs/common/errors";

const paymentFields = `id number status cancellationReason statusHistory { status reason }
  payment { id status failureReason amount { amount } refundedAmount { amount } nextAction { type clientSecret redirectUrl } }`;

interface PaymentView {
  id: string;
  status: string;
  failureReason: string | null;
  amount: { amount: string };
  refundedAmount: { amount: string };
  nextAction: { type: string; clientSecret: string | null; redirectUrl: string | null } | null;
}
type OrderWithPayment = Omit<OrderView, "payment"> & { payment: PaymentView | null };

/**
 * Every path of the checkout saga through payments, run against each provider: the simulated
 * one, and Stripe through its official SDK against a local server that speaks Stripe's API
 * (test/support/fakeStripe), whose webhooks reach the payments service signed as Stripe signs
 * them. Paid, declined, strong customer authentication completed, failed and abandoned (the
 * payment window closes), refunded, captured too late, notifications out of order or forged,
 * a provider that cannot be reached, and saved cards.
 */
describe.each([
  ["simulated", simulatedProvider],
  ["stripe", stripeProvider],
])("checkout with the %s provider", (_name, makeProvider: () => ProviderUnderTest | Promise<ProviderUnderTest>) => {
  let provider: ProviderUnderTest;
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    provider = await makeProvider();
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: {
        orders: { PAYMENT_WINDOW_SECONDS: "6", PAYMENT_WINDOW_SCAN_MS: "100" },
        payments: {
          ...provider.settings,
          PAYMENT_RETRY_BASE_MS: "50",
          PAYMENT_RETRY_MAX_MS: "200",
          PAYMENT_WORKER_INTERVAL_MS: "100",
          PAYMENT_UNREACHABLE_WINDOW_SECONDS: "2",
        },
      },
    });
    provider.attach(services.payments.url, services.payments.provider);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(async () => {
    await services?.cleanUp();
    await provider?.close();
  });

  const fetchOrder = async (id: string, token = customer.accessToken): Promise<OrderWithPayment> =>
    (
      await graphqlData<{ order: OrderWithPayment }>(url, `query($id: ID!) { order(id: $id) { ${paymentFields} } }`, {
        token,
        variables: { id },
      })
    ).order;
  const waitForPayment = (id: string, done: (order: OrderWithPayment) => boolean, what: string) =>
    waitFor(
      async () => {
        const order = await fetchOrder(id);
        return done(order) ? order : undefined;
      },
      what,
      20_000,
    );
  /** The provider's reference of an order's payment (the intent, for Stripe). */
  const referenceOf = async (orderId: string) =>
    (await services.payments.runtime.db.payment.findUniqueOrThrow({ where: { orderId } })).captureReference!;
  const paymentIdOf = async (orderId: string) =>
    (
      await waitFor(
        () =>
          services.payments.runtime.db.payment.findUnique({ where: { orderId } }).then((found) => found ?? undefined),
        "the payment to open",
      )
    ).id;
  const place = async (card: string, price = "20.00", quantity = 1) => {
    const product = await build.product({ name: `${provider.name} ${card}`, price, stock: 5 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity }], card),
    );
    return { product, placed };
  };
  const awaitingAction = (id: string) =>
    waitForPayment(id, (order) => order.payment?.status === "REQUIRES_ACTION", "the payment to wait for its customer");
  const post = (request: { path: string; body: string; headers: Record<string, string> }) =>
    fetch(new URL(request.path, services.payments.url), {
      method: "POST",
      headers: { "content-type": "application/json", ...request.headers },
      body: request.body,
    });
  const outboxOf = async (type: string, orderId: string) =>
    services.payments.runtime.db.outboxEvent.count({
      where: { type, envelope: { path: ["data", "orderId"], equals: orderId } },
    });

  it("paid: the order is CONFIRMED and the money taken once", async () => {
    const { placed } = await place(provider.cards.paid, "24.50");
    const order = await waitForPayment(placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
    expect(order.payment).toMatchObject({
      status: "SUCCEEDED",
      amount: { amount: "24.50" },
      failureReason: null,
      nextAction: null,
    });
    expect(provider.paymentsAt(await paymentIdOf(placed.id))).toEqual(["captured"]);
  });

  it.each([
    ["declined", "card_declined"],
    ["insufficientFunds", "insufficient_funds"],
  ] as const)(
    "declined (%s): CANCELLED / PAYMENT_DECLINED with a client-safe reason, the stock released",
    async (card, reason) => {
      const { placed, product } = await place(provider.cards[card], "9.00", 2);
      const order = await waitForPayment(placed.id, (each) => each.status === "CANCELLED", "the decline");
      expect(order).toMatchObject({
        cancellationReason: "PAYMENT_DECLINED",
        payment: { status: "FAILED", failureReason: reason },
      });
      expect(order.statusHistory.at(-1)?.reason).toBe(`payment declined: ${reason}`);
      expect(provider.paymentsAt(order.payment!.id)).not.toContain("captured");
      await waitFor(
        async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
        "the stock to be released",
      );
    },
  );

  it("tells anyone how checkouts collect payment: the provider and its publishable key, never a secret", async () => {
    const answer = await graphql<{ paymentConfiguration: { provider: string; publishableKey: string | null } }>(
      url,
      `
        {
          paymentConfiguration {
            provider
            publishableKey
          }
        }
      `,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      paymentConfiguration: {
        provider: provider.name.toUpperCase(),
        publishableKey: provider.settings.STRIPE_PUBLISHABLE_KEY ?? null,
      },
    });
    if (provider.name === "stripe") expect(answer.data?.paymentConfiguration.publishableKey).toMatch(/^pk_test_/);
    expect(JSON.stringify(answer)).not.toMatch(/sk_|whsec_/);
  });

  it("strong customer authentication, then success: REQUIRES_ACTION with what the client needs (its customer and admins only), then CONFIRMED", async () => {
    const { placed } = await place(provider.cards.authenticate, "31.00");
    const waiting = await awaitingAction(placed.id);
    expect(waiting.status).toBe("AWAITING_PAYMENT");
    expect(waiting.payment!.nextAction).toMatchObject({
      type: expect.stringMatching(/^(USE_SDK|REDIRECT)$/),
      clientSecret: expect.stringMatching(/_secret_/),
    });
    expect((await fetchOrder(placed.id, admin.accessToken)).payment!.nextAction).toEqual(waiting.payment!.nextAction);
    const stranger = await registerCustomer(url);
    const forbidden = await graphql(
      url,
      `
        query ($id: ID!) {
          order(id: $id) {
            payment {
              nextAction {
                clientSecret
              }
            }
          }
        }
      `,
      {
        token: stranger.accessToken,
        variables: { id: placed.id },
      },
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe(ErrorCode.FORBIDDEN);
    expect(JSON.stringify(forbidden)).not.toMatch(/_secret_/);

    await provider.completeAction(await referenceOf(placed.id), "succeeded");
    const paid = await waitForPayment(placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
    expect(paid.payment).toMatchObject({ status: "SUCCEEDED", failureReason: null, nextAction: null });
    expect(provider.paymentsAt(paid.payment!.id)).toEqual(["captured"]);
    // The call that waited for the customer is settled by the provider's notification.
    const attempts = await services.payments.runtime.db.paymentAttempt.findMany({
      where: { paymentId: paid.payment!.id },
    });
    expect(attempts.map(({ kind, outcome, nextAttemptAt }) => ({ kind, outcome, nextAttemptAt }))).toEqual([
      { kind: "CAPTURE", outcome: "SUCCEEDED", nextAttemptAt: null },
    ]);
    expect(await outboxOf("payments.payment.captured", placed.id)).toBe(1);
  });

  it("strong customer authentication failed: CANCELLED / PAYMENT_DECLINED, authentication_failed", async () => {
    const { placed } = await place(provider.cards.authenticate);
    await awaitingAction(placed.id);
    await provider.completeAction(await referenceOf(placed.id), "failed");
    const order = await waitForPayment(placed.id, (each) => each.status === "CANCELLED", "the decline");
    expect(order).toMatchObject({
      cancellationReason: "PAYMENT_DECLINED",
      payment: { status: "FAILED", failureReason: "authentication_failed", nextAction: null },
    });
  });

  it("strong customer authentication abandoned: PAYMENT_TIMEOUT when the window closes, the stock released and the payment voided at the provider", async () => {
    const { placed, product } = await place(provider.cards.authenticate, "12.00");
    await awaitingAction(placed.id);
    // Orders closes the window; payments voids the payment when it hears of the cancellation, a moment later.
    const order = await waitForPayment(
      placed.id,
      (each) => each.status === "CANCELLED" && each.payment?.status !== "REQUIRES_ACTION",
      "the payment window to close and the payment to be voided",
    );
    expect(order).toMatchObject({
      cancellationReason: "PAYMENT_TIMEOUT",
      payment: { status: "FAILED", nextAction: null },
    });
    expect(order.statusHistory.at(-1)?.reason).toMatch(/payment window of 6s closed/);
    await waitFor(
      () => provider.paymentsAt(order.payment!.id).includes("canceled"),
      "the payment to be voided at the provider",
      20_000,
    );
    await expect(provider.completeAction(await referenceOf(placed.id), "succeeded")).rejects.toThrow(/not waiting/);
    await waitFor(
      async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
  });

  it("refund: a paid order refunded in full by the back office is REFUNDED, the provider giving the money back", async () => {
    const { placed } = await place(provider.cards.paid, "15.75");
    await waitForPayment(placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
    const { refundOrder } = await graphqlData(
      url,
      `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { status refundedAmount { amount } } }`,
      { token: admin.accessToken, variables: { input: { orderId: placed.id, reason: "returned" } } },
    );
    expect(refundOrder).toEqual({ status: "REFUNDED", refundedAmount: { amount: "15.75" } });
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "REFUNDED", "REFUNDED");
    expect(provider.refundsOf(await paymentIdOf(placed.id))).toEqual([1_575n]);
  });

  it("late capture: a capture that lands after the customer cancelled is refunded in full", async () => {
    const release = provider.holdCaptures();
    let placedId: string;
    try {
      const { placed } = await place(provider.cards.paid, "18.00");
      placedId = placed.id;
      const paymentId = await paymentIdOf(placed.id);
      await waitFor(() => provider.isCapturing(paymentId), "the capture to reach the provider");
      await graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id) { id } }`, {
        token: customer.accessToken,
        variables: { id: placed.id },
      });
      await waitForPayment(placed.id, (each) => each.payment?.status === "FAILED", "the payment to be closed");
    } finally {
      release();
    }
    const order = await waitForPayment(
      placedId,
      (each) => each.payment?.status === "REFUNDED",
      "the late capture to be refunded",
    );
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "CANCELLED_BY_CUSTOMER",
      payment: { refundedAmount: { amount: "18.00" } },
    });
    const paymentId = order.payment!.id;
    expect(provider.paymentsAt(paymentId)).toEqual(["captured"]);
    expect(provider.refundsOf(paymentId)).toEqual([1_800n]);
  });

  it("notifications in any order: a success told after a cancellation is refunded, and a repeated one changes nothing", async () => {
    const { placed } = await place(provider.cards.authenticate, "27.00");
    await awaitingAction(placed.id);
    const reference = await referenceOf(placed.id);
    const paymentId = await paymentIdOf(placed.id);
    // The customer authenticated; its notification comes after one saying the payment was cancelled.
    await provider.completeAction(reference, "succeeded", { notify: false });
    expect((await post(provider.notification(paymentId, reference, "canceled"))).status).toBe(200);
    const cancelled = await waitForPayment(placed.id, (each) => each.status === "CANCELLED", "the cancellation");
    expect(cancelled).toMatchObject({
      cancellationReason: "PAYMENT_DECLINED",
      payment: { status: "FAILED", failureReason: "payment_canceled" },
    });

    const succeeded = provider.notification(paymentId, reference, "captured");
    expect((await post(succeeded)).status).toBe(200);
    const refunded = await waitForPayment(placed.id, (each) => each.payment?.status === "REFUNDED", "the refund");
    expect(refunded).toMatchObject({ status: "CANCELLED", payment: { refundedAmount: { amount: "27.00" } } });
    expect(provider.refundsOf(paymentId)).toEqual([2_700n]);

    const again = await post(succeeded);
    expect(await again.json()).toEqual({ received: true, outcome: "duplicate" });
    expect(provider.refundsOf(paymentId)).toEqual([2_700n]);
    expect(await outboxOf("payments.payment.refunded", placed.id)).toBe(1);
  });

  it("refuses a notification whose signature does not hold (400), and it changes nothing", async () => {
    const { placed } = await place(provider.cards.authenticate);
    await awaitingAction(placed.id);
    const reference = await referenceOf(placed.id);
    const paymentId = await paymentIdOf(placed.id);
    const genuine = provider.notification(paymentId, reference, "captured");
    const forged = { ...genuine, body: genuine.body.replace(/"(pi_|ch_)/, '"$1x') };
    expect((await post(forged)).status).toBe(400);
    expect((await post({ ...genuine, headers: {} })).status).toBe(400);
    expect((await fetchOrder(placed.id)).payment?.status).toBe("REQUIRES_ACTION");
    expect(await outboxOf("payments.payment.captured", placed.id)).toBe(0);
    await provider.completeAction(reference, "succeeded");
    await waitForPayment(placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
  });

  it("a provider that cannot be reached: the order is cancelled (PAYMENT_TIMEOUT) after its short window, not the whole payment window", async () => {
    const { card, restore } = provider.unreachable();
    try {
      const { placed, product } = await place(card, "8.00");
      const order = await waitForPayment(placed.id, (each) => each.status === "CANCELLED", "the payment to give up");
      expect(order).toMatchObject({
        cancellationReason: "PAYMENT_TIMEOUT",
        payment: { status: "FAILED", failureReason: "provider_unreachable" },
      });
      expect(order.statusHistory.at(-1)?.reason).toMatch(/did not settle in time: the provider did not answer/);
      expect(provider.paymentsAt(order.payment!.id)).toEqual([]);
      await waitFor(
        async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
        "the stock to be released",
      );
    } finally {
      restore();
    }
  });

  it("saved cards: saved through the provider's setup, listed, paid with, and removed (then refused)", async () => {
    const shopper = await registerCustomer(url);
    const { paymentMethodSetupCreate: setup } = await graphqlData(
      url,
      `mutation { paymentMethodSetupCreate { clientSecret provider } }`,
      { token: shopper.accessToken },
    );
    expect(setup).toEqual({ clientSecret: expect.stringMatching(/_secret_/), provider: provider.name });
    await provider.completeSetup(setup.clientSecret);
    const listed = await waitFor(async () => {
      const { me } = await graphqlData(
        url,
        `query { me { paymentMethods { totalCount edges { node { id brand last4 expiryMonth expiryYear } } } } }`,
        { token: shopper.accessToken },
      );
      return me.paymentMethods.totalCount === 1 ? me.paymentMethods : undefined;
    }, "the card to be saved");
    const method = listed.edges[0].node;
    expect(method).toEqual({
      id: expect.any(String),
      brand: "mastercard",
      last4: "4444",
      expiryMonth: expect.any(Number),
      expiryYear: expect.any(Number),
    });

    const product = await build.product({ name: `${provider.name} saved card`, price: "40.00", stock: 3 });
    const paidWithSaved = await placeOrder(url, shopper.accessToken, {
      ...placeOrderInput([{ productId: product.id, quantity: 1 }]),
      paymentToken: null,
      paymentMethodId: method.id,
    });
    await waitForOrder(url, shopper.accessToken, paidWithSaved.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
    expect(provider.paymentsAt(await paymentIdOf(paidWithSaved.id))).toEqual(["captured"]);

    // Another customer cannot pay with it, nor remove it.
    const stranger = await registerCustomer(url);
    const notTheirs = await placeOrder(url, stranger.accessToken, {
      ...placeOrderInput([{ productId: product.id, quantity: 1 }]),
      paymentToken: null,
      paymentMethodId: method.id,
    });
    const refused = await waitForOrder(
      url,
      stranger.accessToken,
      notTheirs.id,
      (each) => each.status === "CANCELLED",
      "the refusal",
    );
    expect(refused).toMatchObject({
      cancellationReason: "PAYMENT_DECLINED",
      payment: { failureReason: "payment_method_unavailable" },
    });
    const removeMutation = `mutation($id: ID!) { paymentMethodRemove(id: $id) }`;
    const strangerRemoves = await graphql(url, removeMutation, {
      token: stranger.accessToken,
      variables: { id: method.id },
    });
    expect(strangerRemoves.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.NOT_FOUND, field: "id" });

    expect(
      await graphqlData(url, removeMutation, { token: shopper.accessToken, variables: { id: method.id } }),
    ).toEqual({
      paymentMethodRemove: true,
    });
    const { me } = await graphqlData(url, `query { me { paymentMethods { totalCount edges { node { id } } } } }`, {
      token: shopper.accessToken,
    });
    expect(me.paymentMethods).toEqual({ totalCount: 0, edges: [] });
    const afterRemoval = await placeOrder(url, shopper.accessToken, {
      ...placeOrderInput([{ productId: product.id, quantity: 1 }]),
      paymentToken: null,
      paymentMethodId: method.id,
    });
    const declined = await waitForOrder(
      url,
      shopper.accessToken,
      afterRemoval.id,
      (each) => each.status === "CANCELLED",
      "the refusal",
    );
    expect(declined.payment).toMatchObject({ status: "FAILED", failureReason: "payment_method_unavailable" });
  });

  it("accepted every notification the provider sent", () => {
    expect(provider.refusedNotifications()).toEqual([]);
  });
});
