import { randomUUID } from "node:crypto";
import { ProviderRejectedError, TransientProviderError, WebhookSignatureError } from "../provider/paymentProvider";
import { SimulatedPaymentProvider } from "../provider/simulated/simulatedProvider";

const orderId = randomUUID();
const paymentIds = new Map<string, string>();
/** One payment id per idempotency key, as the service keys its captures. */
const paymentIdOf = (key: string) => paymentIds.get(key) ?? (paymentIds.set(key, randomUUID()), paymentIds.get(key)!);

const capture = (
  provider: SimulatedPaymentProvider,
  idempotencyKey: string,
  token = "tok_visa",
  amountMinor = 5_000n,
) =>
  provider.capture({
    idempotencyKey,
    source: { kind: "token", token },
    amountMinor,
    currency: "USD",
    metadata: { orderId, paymentId: paymentIdOf(idempotencyKey) },
  });

const refundOf = (idempotencyKey: string, captureReference: string, amountMinor: bigint) => ({
  idempotencyKey,
  captureReference,
  amountMinor,
  currency: "USD",
  metadata: { orderId, paymentId: randomUUID(), refundId: paymentIdOf(idempotencyKey) },
});

async function capturedReference(
  provider: SimulatedPaymentProvider,
  idempotencyKey: string,
  amountMinor = 5_000n,
): Promise<string> {
  const result = await capture(provider, idempotencyKey, "tok_visa", amountMinor);
  if (result.status !== "captured") throw new Error("expected a capture");
  return result.reference;
}

describe("the simulated provider's refunds", () => {
  it("refunds a capture another process made (another replica, or before a restart), once per idempotency key", async () => {
    const reference = await capturedReference(new SimulatedPaymentProvider(), "capture:a");
    expect(reference).toMatch(/^ch_[0-9a-f]{16}$/);
    const restarted = new SimulatedPaymentProvider();
    const first = await restarted.refund(refundOf("refund:1", reference, 2_000n));
    expect(first.reference).toMatch(/^re_[0-9a-f]{16}$/);
    expect(await restarted.refund(refundOf("refund:1", reference, 2_000n))).toEqual(first);
    expect(restarted.log).toEqual([
      {
        kind: "refund",
        idempotencyKey: "refund:1",
        amountMinor: 2_000n,
        captureReference: reference,
        result: "refunded",
      },
    ]);
  });

  it.each([
    "",
    "ch_",
    "ch_123",
    "re_0123456789abcdef",
    "ch_0123456789ABCDEF",
    "ch_0123456789abcdef0",
    " ch_0123456789abcdef",
  ])("refuses a malformed capture reference (%j) with a non-retryable error", async (captureReference) => {
    const provider = new SimulatedPaymentProvider();
    const refund = provider.refund(refundOf("refund:bad", captureReference, 100n));
    await expect(refund).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(refund).rejects.not.toBeInstanceOf(TransientProviderError);
    await expect(refund).rejects.toThrow(/not a capture reference/);
    expect(provider.log).toEqual([]);
  });

  it("refuses a refund of nothing, and refunds beyond a capture it made itself", async () => {
    const provider = new SimulatedPaymentProvider();
    const reference = await capturedReference(provider, "capture:b", 1_000n);
    await expect(provider.refund(refundOf("refund:zero", reference, 0n))).rejects.toBeInstanceOf(ProviderRejectedError);
    await provider.refund(refundOf("refund:part", reference, 600n));
    await expect(provider.refund(refundOf("refund:too-much", reference, 401n))).rejects.toBeInstanceOf(
      ProviderRejectedError,
    );
    await provider.refund(refundOf("refund:rest", reference, 400n));
  });
});

describe("holding captures", () => {
  /** Lets every promise that can settle do so (a held capture cannot, whatever the clock says). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("keeps captures under way until released; a repeated key meanwhile gets the same capture, charged once", async () => {
    const provider = new SimulatedPaymentProvider();
    const release = provider.holdCaptures();
    let answered = 0;
    const first = capture(provider, "capture:held").finally(() => (answered += 1));
    const again = capture(provider, "capture:held").finally(() => (answered += 1));
    await settle();
    expect(provider.isCapturing("capture:held")).toBe(true);
    expect(answered).toBe(0);
    expect(provider.log).toEqual([]);

    release();
    const [one, two] = await Promise.all([first, again]);
    expect(answered).toBe(2);
    expect(one).toMatchObject({ status: "captured", reference: expect.stringMatching(/^ch_[0-9a-f]{16}$/) });
    expect(two).toEqual(one);
    expect(provider.isCapturing("capture:held")).toBe(false);
    expect(provider.capturesFor("capture:held")).toBe(1);
    expect(await capture(provider, "capture:held")).toEqual(one);
  });

  it("answers only once every hold is released; releasing twice does nothing", async () => {
    const provider = new SimulatedPaymentProvider();
    const releaseOne = provider.holdCaptures();
    const releaseTwo = provider.holdCaptures();
    let answered = false;
    const held = capture(provider, "capture:nested", "tok_declined").finally(() => (answered = true));
    releaseOne();
    releaseOne();
    await settle();
    expect(answered).toBe(false);
    releaseTwo();
    expect(await held).toEqual({
      status: "declined",
      reference: null,
      reason: "card_declined",
      detail: "card_declined",
    });
    // Nothing is held any more: a new capture answers at once.
    expect(await capture(provider, "capture:after")).toMatchObject({ status: "captured" });
  });
});

describe("tok_refund_refused", () => {
  it("captures, then refuses every refund of that capture (non-retryable), logging what it was asked", async () => {
    const provider = new SimulatedPaymentProvider();
    const result = await capture(provider, "capture:closed-card", "tok_refund_refused", 2_000n);
    if (result.status !== "captured") throw new Error("expected a capture");
    const refund = provider.refund(refundOf("refund:closed-card", result.reference, 500n));
    await expect(refund).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(refund).rejects.toThrow(/expired_or_canceled_card/);
    expect(provider.log.filter((entry) => entry.kind === "refund")).toEqual([
      {
        kind: "refund",
        idempotencyKey: "refund:closed-card",
        amountMinor: 500n,
        captureReference: result.reference,
        result: "refused: expired_or_canceled_card",
      },
    ]);
    // Other captures are refunded as usual.
    const other = await capturedReference(provider, "capture:open-card");
    await expect(provider.refund(refundOf("refund:open-card", other, 500n))).resolves.toMatchObject({
      reference: expect.stringMatching(/^re_/),
    });
  });
});

describe("the simulated provider's strong customer authentication and notifications", () => {
  it("waits for the customer on tok_3ds_required, then notifies the outcome, signed, once the customer completes it", async () => {
    const provider = new SimulatedPaymentProvider();
    const received: unknown[] = [];
    provider.onNotification(async ({ body, signature }) => {
      received.push(provider.verifyWebhook(Buffer.from(body), signature));
    });
    const waiting = await capture(provider, "capture:sca", "tok_3ds_required");
    expect(waiting).toMatchObject({
      status: "requires_action",
      reference: expect.stringMatching(/^ch_[0-9a-f]{16}$/),
      action: { type: "REDIRECT", clientSecret: expect.stringMatching(/_secret_/), redirectUrl: expect.any(String) },
    });
    if (waiting.status !== "requires_action") throw new Error("expected a payment waiting for its customer");
    // Asked again with the same key, it answers as it first did (a provider's idempotency record).
    expect(await capture(provider, "capture:sca", "tok_3ds_required")).toEqual(waiting);

    await provider.completeAction(waiting.reference, "succeeded");
    expect(received).toEqual([
      {
        id: expect.stringMatching(/^evt_sim_/),
        kind: "payment",
        paymentId: paymentIdOf("capture:sca"),
        state: { status: "captured", reference: waiting.reference },
      },
    ]);
    const lookup = {
      idempotencyKey: "capture:sca",
      reference: null,
      metadata: { orderId, paymentId: paymentIdOf("capture:sca") },
    };
    expect(await provider.findPayment(lookup)).toEqual({ status: "captured", reference: waiting.reference });
    await expect(provider.completeAction(waiting.reference, "failed")).rejects.toThrow(/not waiting/);
  });

  it("declines a failed authentication as authentication_failed, and cancels a payment still waiting", async () => {
    const provider = new SimulatedPaymentProvider();
    const failed = await capture(provider, "capture:sca-failed", "tok_3ds_required");
    const abandoned = await capture(provider, "capture:sca-abandoned", "tok_3ds_required");
    if (failed.status !== "requires_action" || abandoned.status !== "requires_action")
      throw new Error("expected waits");
    await provider.completeAction(failed.reference, "failed");
    expect(provider.stateOf(failed.reference)).toBe("declined");
    expect(await provider.cancelPayment({ reference: abandoned.reference, idempotencyKey: "cancel:1" })).toEqual({
      status: "canceled",
      reference: abandoned.reference,
    });
    const captured = await capturedReference(provider, "capture:taken");
    await expect(provider.cancelPayment({ reference: captured, idempotencyKey: "cancel:2" })).rejects.toBeInstanceOf(
      ProviderRejectedError,
    );
  });

  it("refuses a notification whose signature does not hold, or that is too old", () => {
    const provider = new SimulatedPaymentProvider();
    const event = {
      id: "evt_sim_1",
      kind: "refund" as const,
      refundId: randomUUID(),
      reference: "re_1",
      outcome: "refunded" as const,
    };
    const signed = provider.signNotification(event);
    expect(provider.verifyWebhook(Buffer.from(signed.body), signed.signature)).toEqual(event);
    const tampered = signed.body.replace("refunded", "failed");
    expect(() => provider.verifyWebhook(Buffer.from(tampered), signed.signature)).toThrow(WebhookSignatureError);
    expect(() => provider.verifyWebhook(Buffer.from(signed.body), undefined)).toThrow(WebhookSignatureError);
    const stale = provider.signNotification(event, Math.floor(Date.now() / 1000) - 600);
    expect(() => provider.verifyWebhook(Buffer.from(stale.body), stale.signature)).toThrow(/too old/);
    // Another provider instance signs with another secret.
    expect(() => new SimulatedPaymentProvider().verifyWebhook(Buffer.from(signed.body), signed.signature)).toThrow(
      WebhookSignatureError,
    );
  });

  it("saves a card from a setup, charges it as its token decides, and declines it once detached", async () => {
    const provider = new SimulatedPaymentProvider();
    const notices: unknown[] = [];
    provider.onNotification(async ({ body, signature }) => {
      notices.push(provider.verifyWebhook(Buffer.from(body), signature));
    });
    const customer = await provider.createCustomer({ customerId: "c1", idempotencyKey: "customer:c1" });
    expect(await provider.createCustomer({ customerId: "c1", idempotencyKey: "customer:c1" })).toEqual(customer);
    const setup = await provider.createSetup({ customerReference: customer.reference, idempotencyKey: "setup:1" });
    expect(setup.clientSecret).toMatch(new RegExp(`^${setup.reference}_secret_`));
    const methodReference = await provider.completeSetup(setup.reference, "tok_mastercard");
    expect(notices).toEqual([
      expect.objectContaining({
        kind: "setup",
        setupReference: setup.reference,
        customerReference: customer.reference,
        methodReference,
      }),
    ]);
    expect(await provider.describeMethod(methodReference)).toMatchObject({ brand: "mastercard", last4: "4444" });
    const saved = { kind: "saved" as const, customerReference: customer.reference, methodReference };
    const charge = (key: string) =>
      provider.capture({
        idempotencyKey: key,
        source: saved,
        amountMinor: 100n,
        currency: "USD",
        metadata: { orderId, paymentId: randomUUID() },
      });
    expect(await charge("capture:saved")).toMatchObject({ status: "captured" });
    await provider.detachMethod(methodReference);
    expect(await charge("capture:detached")).toMatchObject({
      status: "declined",
      reason: "payment_method_unavailable",
    });
    await expect(provider.describeMethod(methodReference)).rejects.toBeInstanceOf(ProviderRejectedError);
  });
});
