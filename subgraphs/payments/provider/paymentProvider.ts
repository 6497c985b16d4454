/**
 * The one interface through which payments talks to a payment provider. Every call carries an
 * idempotency key: the provider answers a repeated key with the first answer, so a retried or
 * redelivered request never charges or refunds twice.
 */
export interface PaymentProvider {
  capture(request: CaptureRequest): Promise<CaptureResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface CaptureRequest {
  idempotencyKey: string;
  /** The customer's payment method, as the provider tokenised it. */
  token: string;
  amountMinor: bigint;
  currency: string;
}

export type CaptureResult = { outcome: "captured"; reference: string } | { outcome: "declined"; reason: string };

export interface RefundRequest {
  idempotencyKey: string;
  captureReference: string;
  amountMinor: bigint;
  currency: string;
}

export interface RefundResult {
  reference: string;
}

/** The provider failed or did not answer: the same request may succeed if tried again. */
export class TransientProviderError extends Error {
  override name = "TransientProviderError";
}

/** The provider refused the request as malformed or impossible: trying it again never helps. */
export class ProviderRejectedError extends Error {
  override name = "ProviderRejectedError";
}
