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

/** Why the simulated provider refuses refunds of a `tok_refund_refused` capture (as a real provider answers for a closed card). */
export const refundRefusedReason = "expired_or_canceled_card";

/** One call the provider was asked, as its dashboard would show it. */
export interface ProviderLogEntry {
  kind: "capture" | "refund";
  idempotencyKey: string;
  amountMinor: bigint;
  /** For a refund: the capture it was asked to refund. */
  captureReference?: string;
  result: string;
}

/**
 * A payment provider that decides by token, as card networks' test cards do:
 * `tok_visa`, `tok_mastercard`, `tok_ok_*` capture; `tok_declined` and `tok_insufficient_funds`
 * are declined; `tok_flaky` fails once with a transient error, then captures; `tok_unreachable`
 * always fails transiently; `tok_refund_refused` captures, but every refund of that capture is
 * refused (`ProviderRejectedError`, reason `expired_or_canceled_card`), as a real provider
 * refuses to refund to a card closed since. It honours idempotency keys like a real provider, and
 * keeps a log of what it was asked, which tests read.
 *
 * Tests control when captures answer with `holdCaptures()`: until the returned function is
 * called, every capture is under way (`isCapturing`) and does not answer, so an order can be
 * cancelled or time out while its capture is under way, without racing a clock.
 *
 * Like an external provider, which keeps its own records, it refunds any well-formed capture
 * reference it issues (`ch_…`), also one captured by another process (another replica, or before
 * a restart); the payments service bounds what is refunded by what was captured. A malformed
 * reference, a refund that would exceed a capture this process made, or one of a
 * `tok_refund_refused` capture is a `ProviderRejectedError` (never retried).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private readonly captures = new Map<string, CaptureResult>();
  /** Captures under way, by idempotency key: a repeated key waits for the same answer. */
  private readonly capturesUnderWay = new Map<string, Promise<CaptureResult>>();
  private readonly refunds = new Map<string, RefundResult>();
  private readonly callsByKey = new Map<string, number>();
  private readonly capturedReferences = new Map<string, bigint>();
  private readonly refundedByReference = new Map<string, bigint>();
  /** Captures (made by this process) whose refunds are refused. */
  private readonly refundRefusedReferences = new Set<string>();
  /** Holds on captures not yet released, and what captures wait for while there are any. */
  private holds = 0;
  private released: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Every call, in order: what a provider's dashboard would show. */
  readonly log: ProviderLogEntry[] = [];

  /**
   * Holds every capture (under way or asked for later) until the returned function is called:
   * a test's gate on when the provider answers. Holds nest; calling the release again does nothing.
   */
  holdCaptures(): () => void {
    this.holds += 1;
    if (!this.released) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.released = { promise, resolve };
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.holds -= 1;
      if (this.holds > 0 || !this.released) return;
      const { resolve } = this.released;
      this.released = undefined;
      resolve();
    };
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const calls = (this.callsByKey.get(request.idempotencyKey) ?? 0) + 1;
    this.callsByKey.set(request.idempotencyKey, calls);
    const previous = this.captures.get(request.idempotencyKey);
    if (previous) {
      this.log.push({
        kind: "capture",
        idempotencyKey: request.idempotencyKey,
        amountMinor: request.amountMinor,
        result: `replayed ${previous.outcome}`,
      });
      return previous;
    }
    const underWay = this.capturesUnderWay.get(request.idempotencyKey);
    if (underWay) return underWay;
    const deciding = this.untilReleased()
      .then(() => this.decide(request.token, calls))
      .then((result) => {
        this.log.push({
          kind: "capture",
          idempotencyKey: request.idempotencyKey,
          amountMinor: request.amountMinor,
          result: result.outcome,
        });
        this.captures.set(request.idempotencyKey, result);
        if (result.outcome === "captured") {
          this.capturedReferences.set(result.reference, request.amountMinor);
          if (request.token === "tok_refund_refused") this.refundRefusedReferences.add(result.reference);
        }
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
    const entry = {
      kind: "refund" as const,
      idempotencyKey: request.idempotencyKey,
      amountMinor: request.amountMinor,
      captureReference: reference,
    };
    const refuse = (reason: string) => {
      this.log.push({ ...entry, result: `refused: ${reason}` });
      return new ProviderRejectedError(`simulated provider: refund of ${reference} refused: ${reason}`);
    };
    if (request.amountMinor <= 0n) throw refuse("a refund must be of more than 0");
    if (this.refundRefusedReferences.has(reference)) throw refuse(refundRefusedReason);
    const refunded = (this.refundedByReference.get(reference) ?? 0n) + request.amountMinor;
    const captured = this.capturedReferences.get(reference);
    if (captured !== undefined && refunded > captured) throw refuse("refunds would exceed what it captured");
    this.refundedByReference.set(reference, refunded);
    const result = { reference: `re_${randomBytes(8).toString("hex")}` };
    this.refunds.set(request.idempotencyKey, result);
    this.log.push({ ...entry, result: "refunded" });
    return result;
  }

  /** Successful captures made with this idempotency key (a provider charges at most once per key). */
  capturesFor(idempotencyKey: string): number {
    return this.log.filter(
      (entry) => entry.kind === "capture" && entry.idempotencyKey === idempotencyKey && entry.result === "captured",
    ).length;
  }

  /** Whether a capture with this idempotency key has been asked for and not yet answered. */
  isCapturing(idempotencyKey: string): boolean {
    return this.capturesUnderWay.has(idempotencyKey);
  }

  /** Resolves at once unless captures are held; then when the last hold is released. */
  private async untilReleased(): Promise<void> {
    while (this.released) await this.released.promise;
  }

  private decide(token: string, calls: number): CaptureResult {
    const captured = (): CaptureResult => ({ outcome: "captured", reference: `ch_${randomBytes(8).toString("hex")}` });
    switch (token) {
      case "tok_visa":
      case "tok_mastercard":
      case "tok_refund_refused":
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
      default:
        return token.startsWith("tok_ok_") ? captured() : { outcome: "declined", reason: "invalid_token" };
    }
  }
}
