import { randomBytes } from "node:crypto";
import {
  ProviderRejectedError,
  TransientProviderError,
  type CaptureRequest,
  type CaptureResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from "./paymentProvider";

/** What the simulated provider's capture references look like (`ch_` and 16 hex digits). */
const captureReferencePattern = /^ch_[0-9a-f]{16}$/;

export interface SimulatedProviderOptions {
  /** How long a `tok_slow` capture takes before it captures (3 s unless told). */
  slowCaptureMs?: number;
}

/**
 * A payment provider that decides by token, as card networks' test cards do:
 * `tok_visa`, `tok_mastercard`, `tok_ok_*` capture; `tok_declined` and `tok_insufficient_funds`
 * are declined; `tok_flaky` fails once with a transient error, then captures; `tok_unreachable`
 * always fails transiently; `tok_slow` captures, but only after `slowCaptureMs` (a provider that
 * is slow to answer, so the order can be cancelled or time out while its capture is under way).
 * It honours idempotency keys like a real provider, and keeps a log of what it was asked, which
 * tests read.
 *
 * Like an external provider, which keeps its own records, it refunds any well-formed capture
 * reference it issues (`ch_…`), also one captured by another process (another replica, or before
 * a restart); the payments service bounds what is refunded by what was captured. A malformed
 * reference, or a refund that would exceed a capture this process made, is a
 * `ProviderRejectedError` (never retried).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  /** How long a `tok_slow` capture takes. */
  slowCaptureMs: number;
  private readonly captures = new Map<string, CaptureResult>();
  /** Captures under way, by idempotency key: a repeated key waits for the same answer. */
  private readonly capturesUnderWay = new Map<string, Promise<CaptureResult>>();
  private readonly refunds = new Map<string, RefundResult>();
  private readonly callsByKey = new Map<string, number>();
  private readonly capturedReferences = new Map<string, bigint>();
  private readonly refundedByReference = new Map<string, bigint>();
  /** Every call, in order: what a provider's dashboard would show. */
  readonly log: Array<{ kind: "capture" | "refund"; idempotencyKey: string; amountMinor: bigint; result: string }> = [];

  constructor(options: SimulatedProviderOptions = {}) {
    this.slowCaptureMs = options.slowCaptureMs ?? 3_000;
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const calls = (this.callsByKey.get(request.idempotencyKey) ?? 0) + 1;
    this.callsByKey.set(request.idempotencyKey, calls);
    const previous = this.captures.get(request.idempotencyKey);
    if (previous) {
      this.log.push({ kind: "capture", idempotencyKey: request.idempotencyKey, amountMinor: request.amountMinor, result: `replayed ${previous.outcome}` });
      return previous;
    }
    const underWay = this.capturesUnderWay.get(request.idempotencyKey);
    if (underWay) return underWay;
    const deciding = this.decide(request.token, calls).then((result) => {
      this.log.push({ kind: "capture", idempotencyKey: request.idempotencyKey, amountMinor: request.amountMinor, result: result.outcome });
      this.captures.set(request.idempotencyKey, result);
      if (result.outcome === "captured") this.capturedReferences.set(result.reference, request.amountMinor);
      return result;
    });
    this.capturesUnderWay.set(request.idempotencyKey, deciding);
    try {
      return await deciding;
    } finally {
      this.capturesUnderWay.delete(request.idempotencyKey);
    }
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const previous = this.refunds.get(request.idempotencyKey);
    if (previous) return previous;
    const reference = request.captureReference;
    if (!captureReferencePattern.test(reference)) {
      throw new ProviderRejectedError(`simulated provider: ${JSON.stringify(reference)} is not a capture reference`);
    }
    if (request.amountMinor <= 0n) throw new ProviderRejectedError("simulated provider: a refund must be of more than 0");
    const refunded = (this.refundedByReference.get(reference) ?? 0n) + request.amountMinor;
    const captured = this.capturedReferences.get(reference);
    if (captured !== undefined && refunded > captured) {
      throw new ProviderRejectedError(`simulated provider: refunds of ${reference} would exceed what it captured`);
    }
    this.refundedByReference.set(reference, refunded);
    const result = { reference: `re_${randomBytes(8).toString("hex")}` };
    this.refunds.set(request.idempotencyKey, result);
    this.log.push({ kind: "refund", idempotencyKey: request.idempotencyKey, amountMinor: request.amountMinor, result: "refunded" });
    return result;
  }

  /** Successful captures made with this idempotency key (a provider charges at most once per key). */
  capturesFor(idempotencyKey: string): number {
    return this.log.filter((entry) => entry.kind === "capture" && entry.idempotencyKey === idempotencyKey && entry.result === "captured").length;
  }

  /** Whether a capture with this idempotency key has been asked for and not yet answered. */
  isCapturing(idempotencyKey: string): boolean {
    return this.capturesUnderWay.has(idempotencyKey);
  }

  private async decide(token: string, calls: number): Promise<CaptureResult> {
    const captured = (): CaptureResult => ({ outcome: "captured", reference: `ch_${randomBytes(8).toString("hex")}` });
    switch (token) {
      case "tok_visa":
      case "tok_mastercard":
        return captured();
      case "tok_declined":
        return { outcome: "declined", reason: "card_declined" };
      case "tok_insufficient_funds":
        return { outcome: "declined", reason: "insufficient_funds" };
      case "tok_flaky":
        if (calls === 1) throw new TransientProviderError("simulated provider: gateway timeout");
        return captured();
      case "tok_unreachable":
        throw new TransientProviderError("simulated provider: connection refused");
      case "tok_slow":
        await new Promise((resolve) => setTimeout(resolve, this.slowCaptureMs));
        return captured();
      default:
        return token.startsWith("tok_ok_") ? captured() : { outcome: "declined", reason: "invalid_token" };
    }
  }
}
