import { randomBytes } from "node:crypto";
import { TransientProviderError, type CaptureRequest, type CaptureResult, type PaymentProvider, type RefundRequest, type RefundResult } from "./paymentProvider";

/**
 * A payment provider that decides by token, as card networks' test cards do:
 * `tok_visa`, `tok_mastercard`, `tok_ok_*` capture; `tok_declined` and `tok_insufficient_funds`
 * are declined; `tok_flaky` fails once with a transient error, then captures; `tok_unreachable`
 * always fails transiently. It honours idempotency keys like a real provider, and keeps a log
 * of what it was asked, which tests read.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private readonly captures = new Map<string, CaptureResult>();
  private readonly refunds = new Map<string, RefundResult>();
  private readonly callsByKey = new Map<string, number>();
  private readonly capturedReferences = new Map<string, bigint>();
  /** Every call, in order: what a provider's dashboard would show. */
  readonly log: Array<{ kind: "capture" | "refund"; idempotencyKey: string; amountMinor: bigint; result: string }> = [];

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const calls = (this.callsByKey.get(request.idempotencyKey) ?? 0) + 1;
    this.callsByKey.set(request.idempotencyKey, calls);
    const previous = this.captures.get(request.idempotencyKey);
    if (previous) {
      this.log.push({ kind: "capture", idempotencyKey: request.idempotencyKey, amountMinor: request.amountMinor, result: `replayed ${previous.outcome}` });
      return previous;
    }
    const result = this.decide(request.token, calls);
    this.log.push({ kind: "capture", idempotencyKey: request.idempotencyKey, amountMinor: request.amountMinor, result: result.outcome });
    this.captures.set(request.idempotencyKey, result);
    if (result.outcome === "captured") this.capturedReferences.set(result.reference, request.amountMinor);
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const previous = this.refunds.get(request.idempotencyKey);
    if (previous) return previous;
    const captured = this.capturedReferences.get(request.captureReference);
    if (captured === undefined) throw new Error(`simulated provider: no capture ${request.captureReference}`);
    const result = { reference: `re_${randomBytes(8).toString("hex")}` };
    this.refunds.set(request.idempotencyKey, result);
    this.log.push({ kind: "refund", idempotencyKey: request.idempotencyKey, amountMinor: request.amountMinor, result: "refunded" });
    return result;
  }

  /** Successful captures made with this idempotency key (a provider charges at most once per key). */
  capturesFor(idempotencyKey: string): number {
    return this.log.filter((entry) => entry.kind === "capture" && entry.idempotencyKey === idempotencyKey && entry.result === "captured").length;
  }

  private decide(token: string, calls: number): CaptureResult {
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
      default:
        return token.startsWith("tok_ok_") ? captured() : { outcome: "declined", reason: "invalid_token" };
    }
  }
}
