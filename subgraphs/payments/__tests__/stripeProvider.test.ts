import { randomUUID } from "node:crypto";
import { FakeStripe } from "../../../test/support/fakeStripe/fakeStripe";
import {
  ProviderRejectedError,
  TransientProviderError,
  WebhookSignatureError,
  type CaptureRequest,
  type PaymentState,
} from "../provider/paymentProvider";
import { StripePaymentProvider, type StripeSettings } from "../provider/stripe/stripeProvider";

/**
 * The Stripe provider through the official SDK, against a local server that speaks the subset of
 * Stripe's API it uses (test/support/fakeStripe): what it sends, how it reads Stripe's answers
 * and errors, and how it verifies webhooks.
 */
describe("the Stripe provider", () => {
  let stripe: FakeStripe;
  let provider: StripePaymentProvider;

  const providerFor = (fake: FakeStripe, overrides: Partial<StripeSettings> = {}) =>
    new StripePaymentProvider({
      secretKey: fake.secretKey,
      webhookSecret: fake.webhookSecret,
      host: "127.0.0.1",
      port: fake.port,
      protocol: "http",
      timeoutMs: 5_000,
      maxNetworkRetries: 1,
      ...overrides,
    });

  beforeAll(async () => {
    stripe = await FakeStripe.start();
    provider = providerFor(stripe);
  });

  afterAll(() => stripe?.close());

  function captureRequest(token: string, overrides: Partial<CaptureRequest> = {}): CaptureRequest {
    const paymentId = randomUUID();
    return {
      idempotencyKey: `capture:${paymentId}`,
      source: { kind: "token", token },
      amountMinor: 2_500n,
      currency: "USD",
      metadata: { orderId: randomUUID(), paymentId },
      ...overrides,
    };
  }

  const requestsWith = (key: string) => stripe.requests.filter((request) => request.idempotencyKey === key);
  const referenceOf = (state: PaymentState) => ("reference" in state ? state.reference : null);

  it("captures with a PaymentIntent confirmed at once: the key, the amount in minor units, the currency and the metadata", async () => {
    const request = captureRequest("pm_card_visa");
    const state = await provider.capture(request);
    expect(state).toEqual({ status: "captured", reference: expect.stringMatching(/^pi_/) });
    expect(requestsWith(request.idempotencyKey)).toEqual([
      {
        method: "POST",
        path: "/v1/payment_intents",
        idempotencyKey: request.idempotencyKey,
        params: expect.objectContaining({
          amount: "2500",
          currency: "usd",
          confirm: "true",
          payment_method: "pm_card_visa",
          metadata: { order_id: request.metadata.orderId, payment_id: request.metadata.paymentId },
        }),
        status: 200,
        replayed: false,
      },
    ]);
  });

  it("turns a legacy card token into a PaymentMethod first, with a key of its own", async () => {
    const request = captureRequest("tok_mastercard");
    expect(await provider.capture(request)).toMatchObject({ status: "captured" });
    const made = requestsWith(`${request.idempotencyKey}:method`);
    expect(made).toEqual([
      expect.objectContaining({
        path: "/v1/payment_methods",
        params: { type: "card", card: { token: "tok_mastercard" } },
      }),
    ]);
    const [intent] = stripe.intentsOf(request.metadata.paymentId);
    expect(intent?.payment_method).toMatch(/^pm_/);
  });

  it.each([
    ["pm_card_visa_chargeDeclined", "card_declined", "card_declined/generic_decline"],
    ["pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds", "card_declined/insufficient_funds"],
    ["pm_card_visa_chargeDeclinedExpiredCard", "expired_card", "expired_card/expired_card"],
    // Stripe advises never to tell a customer the card is thought fraudulent.
    ["pm_card_visa_chargeDeclinedFraudulent", "card_declined", "card_declined/fraudulent"],
  ])("reads a 402 card_error for %s as a decline with a client-safe reason (%s)", async (card, reason, detail) => {
    const request = captureRequest(card);
    const state = await provider.capture(request);
    expect(state).toEqual({ status: "declined", reference: expect.stringMatching(/^pi_/), reason, detail });
    expect(JSON.stringify(state)).not.toMatch(/Your card/);
    expect(requestsWith(request.idempotencyKey).map((each) => each.status)).toEqual([402]);
  });

  it("declines an unknown PaymentMethod as invalid_token, and an amount Stripe does not take as amount_not_payable", async () => {
    expect(await provider.capture(captureRequest("pm_nobody"))).toMatchObject({
      status: "declined",
      reason: "invalid_token",
    });
    expect(await provider.capture(captureRequest("pm_card_visa", { amountMinor: 10n }))).toMatchObject({
      status: "declined",
      reason: "amount_not_payable",
    });
  });

  it("answers a card that needs 3-D Secure with the intent's client secret, and finds it captured once the customer authenticated", async () => {
    const request = captureRequest("pm_card_threeDSecure2Required");
    const state = await provider.capture(request);
    expect(state).toEqual({
      status: "requires_action",
      reference: expect.stringMatching(/^pi_/),
      action: { type: "USE_SDK", clientSecret: expect.stringMatching(/^pi_.+_secret_/), redirectUrl: null },
    });
    const reference = referenceOf(state)!;
    stripe.completeAction(reference, "succeeded");
    const lookup = { idempotencyKey: request.idempotencyKey, metadata: request.metadata };
    expect(await provider.findPayment({ ...lookup, reference })).toEqual({ status: "captured", reference });
    // Without the reference (its answer was lost), the intent is found by the payment id in its metadata.
    expect(await provider.findPayment({ ...lookup, reference: null })).toEqual({ status: "captured", reference });
    expect(
      await provider.findPayment({
        ...lookup,
        reference: null,
        metadata: { ...lookup.metadata, paymentId: randomUUID() },
      }),
    ).toEqual({ status: "not_found" });
    expect(await provider.findPayment({ ...lookup, reference: "pi_unknown" })).toEqual({ status: "not_found" });
  });

  it("reads a failed authentication as authentication_failed, and a soft decline (authentication_required) as waiting for the customer", async () => {
    const failing = captureRequest("pm_card_threeDSecure2Required");
    const waiting = await provider.capture(failing);
    stripe.completeAction(referenceOf(waiting)!, "failed");
    expect(
      await provider.findPayment({
        idempotencyKey: failing.idempotencyKey,
        reference: null,
        metadata: failing.metadata,
      }),
    ).toEqual({
      status: "declined",
      reference: referenceOf(waiting),
      reason: "authentication_failed",
      detail: "payment_intent_authentication_failure",
    });

    stripe.failNext({ kind: "soft_decline" }, { path: /^\/v1\/payment_intents$/ });
    const soft = await provider.capture(captureRequest("pm_card_authenticationRequired"));
    expect(soft).toEqual({
      status: "requires_action",
      reference: expect.stringMatching(/^pi_/),
      action: { type: "USE_SDK", clientSecret: expect.stringMatching(/_secret_/), redirectUrl: null },
    });
    expect(stripe.requests.at(-1)).toMatchObject({ status: 402 });
    stripe.completeAction(referenceOf(soft)!, "succeeded");
  });

  it("voids an intent still waiting for its customer, and refuses to void one that was paid", async () => {
    const waiting = await provider.capture(captureRequest("pm_card_threeDSecure2Required"));
    const reference = referenceOf(waiting)!;
    expect(await provider.cancelPayment({ reference, idempotencyKey: `cancel:${reference}` })).toEqual({
      status: "canceled",
      reference,
    });
    expect(() => stripe.completeAction(reference, "succeeded")).toThrow(/not waiting/);
    const paid = referenceOf(await provider.capture(captureRequest("pm_card_visa")))!;
    await expect(provider.cancelPayment({ reference: paid, idempotencyKey: `cancel:${paid}` })).rejects.toBeInstanceOf(
      ProviderRejectedError,
    );
  });

  it("is told to try later on a rate limit (429), and the same key then charges once", async () => {
    const request = captureRequest("pm_card_visa");
    stripe.failNext({ kind: "rate_limited" }, { path: /^\/v1\/payment_intents$/ });
    await expect(provider.capture(request)).rejects.toBeInstanceOf(TransientProviderError);
    expect(await provider.capture(request)).toMatchObject({ status: "captured" });
    expect(requestsWith(request.idempotencyKey).map((each) => each.status)).toEqual([429, 200]);
    expect(stripe.intentsOf(request.metadata.paymentId)).toHaveLength(1);
  });

  it("lets the SDK retry what Stripe asks it to (a lock timeout, a 500), with the same key", async () => {
    const locked = captureRequest("pm_card_visa");
    stripe.failNext({ kind: "lock_timeout" }, { path: /^\/v1\/payment_intents$/ });
    expect(await provider.capture(locked)).toMatchObject({ status: "captured" });
    expect(requestsWith(locked.idempotencyKey).map((each) => each.status)).toEqual([429, 200]);

    const failing = captureRequest("pm_card_visa");
    stripe.failNext({ kind: "server_error" }, { path: /^\/v1\/payment_intents$/, times: 2 });
    await expect(provider.capture(failing)).rejects.toBeInstanceOf(TransientProviderError);
    expect(requestsWith(failing.idempotencyKey).map((each) => each.status)).toEqual([500, 500]);
    expect(stripe.intentsOf(failing.metadata.paymentId)).toEqual([]);
  });

  it("gets the first answer again after a response lost to a timeout: the retry is replayed, one charge", async () => {
    const impatient = providerFor(stripe, { timeoutMs: 300, maxNetworkRetries: 1 });
    const request = captureRequest("pm_card_visa");
    stripe.failNext({ kind: "timeout_after_executing" }, { path: /^\/v1\/payment_intents$/ });
    const state = await impatient.capture(request);
    expect(state).toMatchObject({ status: "captured" });
    expect(requestsWith(request.idempotencyKey).map(({ status, replayed }) => ({ status, replayed }))).toEqual([
      { status: 200, replayed: false },
      { status: 200, replayed: true },
    ]);
    expect(stripe.intentsOf(request.metadata.paymentId)).toHaveLength(1);

    // With no retry left, a timeout is transient: the worker tries again later with the same key.
    const once = providerFor(stripe, { timeoutMs: 300, maxNetworkRetries: 0 });
    const lost = captureRequest("pm_card_visa");
    stripe.failNext({ kind: "timeout_after_executing" }, { path: /^\/v1\/payment_intents$/ });
    await expect(once.capture(lost)).rejects.toBeInstanceOf(TransientProviderError);
    expect(await once.capture(lost)).toEqual({
      status: "captured",
      reference: stripe.intentsOf(lost.metadata.paymentId)[0]!.id,
    });
  });

  it("refuses an idempotency key reused with other parameters (400 idempotency_error), never retried as transient", async () => {
    const request = captureRequest("pm_card_visa");
    await provider.capture(request);
    const other = provider.capture({ ...request, amountMinor: 9_900n });
    await expect(other).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(other).rejects.toThrow(/idempotency_error/);
    expect(requestsWith(request.idempotencyKey).map((each) => each.status)).toEqual([200, 400]);
    expect(stripe.intentsOf(request.metadata.paymentId)).toHaveLength(1);
  });

  it("refunds with a key and metadata of its own, finds the refund again by them, and is refused beyond the capture", async () => {
    const capture = captureRequest("pm_card_visa");
    const reference = referenceOf(await provider.capture(capture))!;
    const refundId = randomUUID();
    const refund = {
      idempotencyKey: `refund:${refundId}`,
      captureReference: reference,
      amountMinor: 1_000n,
      currency: "USD",
      metadata: { ...capture.metadata, refundId },
    };
    const made = await provider.refund(refund);
    expect(made).toEqual({ status: "refunded", reference: expect.stringMatching(/^re_/) });
    expect(await provider.refund(refund)).toEqual(made);
    expect(requestsWith(refund.idempotencyKey).map((each) => each.replayed)).toEqual([false, true]);
    const lookup = { idempotencyKey: refund.idempotencyKey, captureReference: reference, metadata: { refundId } };
    expect(await provider.findRefund(lookup)).toEqual(made);
    expect(await provider.findRefund({ ...lookup, metadata: { refundId: randomUUID() } })).toEqual({
      status: "not_found",
    });
    const tooMuch = randomUUID();
    await expect(
      provider.refund({
        ...refund,
        idempotencyKey: `refund:${tooMuch}`,
        amountMinor: 1_600n,
        metadata: { ...refund.metadata, refundId: tooMuch },
      }),
    ).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it("saves a card: a customer once per key, a setup with a client secret, the card's brand and last four digits, then detaches it", async () => {
    const customerId = randomUUID();
    const customer = await provider.createCustomer({ customerId, idempotencyKey: `customer:${customerId}` });
    expect(await provider.createCustomer({ customerId, idempotencyKey: `customer:${customerId}` })).toEqual(customer);
    expect(stripe.account.customers.get(customer.reference)?.metadata).toEqual({ user_id: customerId });
    const setup = await provider.createSetup({
      customerReference: customer.reference,
      idempotencyKey: `setup:${randomUUID()}`,
    });
    expect(setup).toEqual({
      reference: expect.stringMatching(/^seti_/),
      clientSecret: expect.stringMatching(/_secret_/),
    });
    const saved = stripe.completeSetup(setup.reference, "pm_card_mastercard");
    const method = saved.payment_method as string;
    expect(await provider.describeMethod(method)).toEqual({
      brand: "mastercard",
      last4: "4444",
      expiryMonth: 12,
      expiryYear: new Date().getUTCFullYear() + 3,
    });
    const charged = await provider.capture(
      captureRequest("", { source: { kind: "saved", customerReference: customer.reference, methodReference: method } }),
    );
    expect(charged).toMatchObject({ status: "captured" });
    await provider.detachMethod(method);
    await expect(provider.detachMethod(method)).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  describe("webhooks", () => {
    const intentObject = (paymentId: string, status: string) => ({
      id: "pi_webhook",
      object: "payment_intent",
      status,
      client_secret: "pi_webhook_secret_x",
      metadata: { payment_id: paymentId, order_id: randomUUID() },
      next_action: null,
      last_payment_error: null,
    });
    const verify = (payload: string, signature: string | undefined) =>
      provider.verifyWebhook(Buffer.from(payload), signature);

    it("reads a signed payment_intent event as the payment's new state, found by its metadata", () => {
      const paymentId = randomUUID();
      const event = stripe.event("payment_intent.succeeded", intentObject(paymentId, "succeeded"));
      const payload = JSON.stringify(event);
      expect(verify(payload, stripe.signature(payload))).toEqual({
        id: event.id,
        kind: "payment",
        paymentId,
        state: { status: "captured", reference: "pi_webhook" },
      });
    });

    it("refuses a body changed after signing, a missing signature, another endpoint's secret and a stale timestamp", () => {
      const payload = JSON.stringify(stripe.event("payment_intent.succeeded", intentObject(randomUUID(), "succeeded")));
      const signature = stripe.signature(payload);
      expect(() => verify(payload.replace("succeeded", "canceled"), signature)).toThrow(WebhookSignatureError);
      expect(() => verify(payload, undefined)).toThrow(WebhookSignatureError);
      expect(() => verify("not json", stripe.signature("not json"))).toThrow(WebhookSignatureError);
      const other = providerFor(stripe, { webhookSecret: "whsec_another" });
      expect(() => other.verifyWebhook(Buffer.from(payload), signature)).toThrow(WebhookSignatureError);
      const stale = stripe.signature(payload, Math.floor(Date.now() / 1000) - 600);
      expect(() => verify(payload, stale)).toThrow(/tolerance/);
    });

    it("reads refunds and saved cards, and ignores what is not about this service", () => {
      const refundId = randomUUID();
      const refund = stripe.event("refund.updated", {
        id: "re_1",
        object: "refund",
        status: "failed",
        metadata: { refund_id: refundId },
      });
      const setup = stripe.event("setup_intent.succeeded", {
        id: "seti_1",
        object: "setup_intent",
        status: "succeeded",
        customer: "cus_1",
        payment_method: "pm_1",
      });
      const foreign = stripe.event("payment_intent.succeeded", { ...intentObject("x", "succeeded"), metadata: {} });
      const other = stripe.event("customer.created", { id: "cus_2", object: "customer" });
      const read = (event: Record<string, unknown>) => {
        const payload = JSON.stringify(event);
        return verify(payload, stripe.signature(payload));
      };
      expect(read(refund)).toEqual({ id: refund.id, kind: "refund", refundId, reference: "re_1", outcome: "failed" });
      expect(read(setup)).toEqual({
        id: setup.id,
        kind: "setup",
        setupReference: "seti_1",
        customerReference: "cus_1",
        methodReference: "pm_1",
      });
      expect(read(foreign)).toEqual({ id: foreign.id, kind: "ignored", type: "payment_intent.succeeded" });
      expect(read(other)).toMatchObject({ kind: "ignored", type: "customer.created" });
    });
  });

  it("says to check the key when Stripe refuses it, without quoting it", async () => {
    const wrong = providerFor(stripe, { secretKey: "sk_test_wrongwrongwrong" });
    const refused = wrong.capture(captureRequest("pm_card_visa"));
    await expect(refused).rejects.toThrow(/check STRIPE_SECRET_KEY/);
    await expect(refused).rejects.not.toThrow(/sk_test_wrong/);
  });
});
