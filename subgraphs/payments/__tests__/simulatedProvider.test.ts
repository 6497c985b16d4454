import { ProviderRejectedError, TransientProviderError } from "../provider/paymentProvider";
import { SimulatedPaymentProvider } from "../provider/simulatedProvider";

const capture = (provider: SimulatedPaymentProvider, idempotencyKey: string, token = "tok_visa", amountMinor = 5_000n) =>
  provider.capture({ idempotencyKey, token, amountMinor, currency: "USD" });

async function capturedReference(provider: SimulatedPaymentProvider, idempotencyKey: string, amountMinor = 5_000n): Promise<string> {
  const result = await capture(provider, idempotencyKey, "tok_visa", amountMinor);
  if (result.outcome !== "captured") throw new Error("expected a capture");
  return result.reference;
}

describe("the simulated provider's refunds", () => {
  it("refunds a capture another process made (another replica, or before a restart), once per idempotency key", async () => {
    const reference = await capturedReference(new SimulatedPaymentProvider(), "capture:a");
    expect(reference).toMatch(/^ch_[0-9a-f]{16}$/);
    const restarted = new SimulatedPaymentProvider();
    const first = await restarted.refund({ idempotencyKey: "refund:1", captureReference: reference, amountMinor: 2_000n, currency: "USD" });
    expect(first.reference).toMatch(/^re_[0-9a-f]{16}$/);
    expect(await restarted.refund({ idempotencyKey: "refund:1", captureReference: reference, amountMinor: 2_000n, currency: "USD" })).toEqual(first);
    expect(restarted.log).toEqual([{ kind: "refund", idempotencyKey: "refund:1", amountMinor: 2_000n, result: "refunded" }]);
  });

  it.each(["", "ch_", "ch_123", "re_0123456789abcdef", "ch_0123456789ABCDEF", "ch_0123456789abcdef0", " ch_0123456789abcdef"])(
    "refuses a malformed capture reference (%j) with a non-retryable error",
    async (captureReference) => {
      const provider = new SimulatedPaymentProvider();
      const refund = provider.refund({ idempotencyKey: "refund:bad", captureReference, amountMinor: 100n, currency: "USD" });
      await expect(refund).rejects.toBeInstanceOf(ProviderRejectedError);
      await expect(refund).rejects.not.toBeInstanceOf(TransientProviderError);
      await expect(refund).rejects.toThrow(/not a capture reference/);
      expect(provider.log).toEqual([]);
    },
  );

  it("refuses a refund of nothing, and refunds beyond a capture it made itself", async () => {
    const provider = new SimulatedPaymentProvider();
    const reference = await capturedReference(provider, "capture:b", 1_000n);
    await expect(provider.refund({ idempotencyKey: "refund:zero", captureReference: reference, amountMinor: 0n, currency: "USD" })).rejects.toBeInstanceOf(ProviderRejectedError);
    await provider.refund({ idempotencyKey: "refund:part", captureReference: reference, amountMinor: 600n, currency: "USD" });
    await expect(provider.refund({ idempotencyKey: "refund:too-much", captureReference: reference, amountMinor: 401n, currency: "USD" })).rejects.toBeInstanceOf(ProviderRejectedError);
    await provider.refund({ idempotencyKey: "refund:rest", captureReference: reference, amountMinor: 400n, currency: "USD" });
  });
});

describe("tok_slow", () => {
  it("captures after slowCaptureMs; a repeated key meanwhile gets the same capture, charged once", async () => {
    const provider = new SimulatedPaymentProvider({ slowCaptureMs: 150 });
    const started = Date.now();
    const first = capture(provider, "capture:slow", "tok_slow");
    expect(provider.isCapturing("capture:slow")).toBe(true);
    const again = capture(provider, "capture:slow", "tok_slow");
    const [one, two] = await Promise.all([first, again]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(one).toMatchObject({ outcome: "captured", reference: expect.stringMatching(/^ch_/) });
    expect(two).toEqual(one);
    expect(provider.isCapturing("capture:slow")).toBe(false);
    expect(provider.capturesFor("capture:slow")).toBe(1);
    expect(await capture(provider, "capture:slow", "tok_slow")).toEqual(one);
  });
});
