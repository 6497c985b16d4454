import { ProviderRejectedError, TransientProviderError } from "../provider/paymentProvider";
import { SimulatedPaymentProvider } from "../provider/simulatedProvider";

const capture = (
  provider: SimulatedPaymentProvider,
  idempotencyKey: string,
  token = "tok_visa",
  amountMinor = 5_000n,
) => provider.capture({ idempotencyKey, token, amountMinor, currency: "USD" });

async function capturedReference(
  provider: SimulatedPaymentProvider,
  idempotencyKey: string,
  amountMinor = 5_000n,
): Promise<string> {
  const result = await capture(provider, idempotencyKey, "tok_visa", amountMinor);
  if (result.outcome !== "captured") throw new Error("expected a capture");
  return result.reference;
}

describe("the simulated provider's refunds", () => {
  it("refunds a capture another process made (another replica, or before a restart), once per idempotency key", async () => {
    const reference = await capturedReference(new SimulatedPaymentProvider(), "capture:a");
    expect(reference).toMatch(/^ch_[0-9a-f]{16}$/);
    const restarted = new SimulatedPaymentProvider();
    const first = await restarted.refund({
      idempotencyKey: "refund:1",
      captureReference: reference,
      amountMinor: 2_000n,
      currency: "USD",
    });
    expect(first.reference).toMatch(/^re_[0-9a-f]{16}$/);
    expect(
      await restarted.refund({
        idempotencyKey: "refund:1",
        captureReference: reference,
        amountMinor: 2_000n,
        currency: "USD",
      }),
    ).toEqual(first);
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
    const refund = provider.refund({
      idempotencyKey: "refund:bad",
      captureReference,
      amountMinor: 100n,
      currency: "USD",
    });
    await expect(refund).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(refund).rejects.not.toBeInstanceOf(TransientProviderError);
    await expect(refund).rejects.toThrow(/not a capture reference/);
    expect(provider.log).toEqual([]);
  });

  it("refuses a refund of nothing, and refunds beyond a capture it made itself", async () => {
    const provider = new SimulatedPaymentProvider();
    const reference = await capturedReference(provider, "capture:b", 1_000n);
    await expect(
      provider.refund({ idempotencyKey: "refund:zero", captureReference: reference, amountMinor: 0n, currency: "USD" }),
    ).rejects.toBeInstanceOf(ProviderRejectedError);
    await provider.refund({
      idempotencyKey: "refund:part",
      captureReference: reference,
      amountMinor: 600n,
      currency: "USD",
    });
    await expect(
      provider.refund({
        idempotencyKey: "refund:too-much",
        captureReference: reference,
        amountMinor: 401n,
        currency: "USD",
      }),
    ).rejects.toBeInstanceOf(ProviderRejectedError);
    await provider.refund({
      idempotencyKey: "refund:rest",
      captureReference: reference,
      amountMinor: 400n,
      currency: "USD",
    });
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
    expect(one).toMatchObject({ outcome: "captured", reference: expect.stringMatching(/^ch_[0-9a-f]{16}$/) });
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
    expect(await held).toEqual({ outcome: "declined", reason: "card_declined" });
    // Nothing is held any more: a new capture answers at once.
    expect(await capture(provider, "capture:after")).toMatchObject({ outcome: "captured" });
  });
});

describe("tok_refund_refused", () => {
  it("captures, then refuses every refund of that capture (non-retryable), logging what it was asked", async () => {
    const provider = new SimulatedPaymentProvider();
    const result = await capture(provider, "capture:closed-card", "tok_refund_refused", 2_000n);
    if (result.outcome !== "captured") throw new Error("expected a capture");
    const refund = provider.refund({
      idempotencyKey: "refund:closed-card",
      captureReference: result.reference,
      amountMinor: 500n,
      currency: "USD",
    });
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
    await expect(
      provider.refund({
        idempotencyKey: "refund:open-card",
        captureReference: other,
        amountMinor: 500n,
        currency: "USD",
      }),
    ).resolves.toMatchObject({ reference: expect.stringMatching(/^re_/) });
  });
});
