import type { DeclineReason } from "./declineReasons";

/** The providers this service can talk to. */
export const providerNames = ["simulated", "stripe"] as const;
export type ProviderName = (typeof providerNames)[number];

/**
 * The one interface through which payments talks to a payment provider. Every call that moves
 * money carries an idempotency key: the provider answers a repeated key with the first answer,
 * so a retried or redelivered request never charges or refunds twice. Metadata (the order and
 * the payment, the refund) goes with every payment and refund, so that each can be found again
 * at the provider when its answer was lost (`findPayment`, `findRefund`).
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** The HTTP header its webhooks carry their signature in. */
  readonly signatureHeader: string;
  /**
   * The public key its client SDK is given in the customer's browser (Stripe's publishable key,
   * `pk_…`), for checkouts to collect cards with; none where the provider has no client SDK or
   * none is configured. Never a secret.
   */
  readonly publishableKey?: string;
  /** Takes the payment at once, or answers what the customer must do first. */
  capture(request: CaptureRequest): Promise<PaymentState>;
  /** Where a payment stands at the provider, by its reference when known, else by its metadata. */
  findPayment(request: PaymentLookup): Promise<PaymentState | NotFound>;
  /** Voids a payment that was not taken (one still waiting for the customer); answers where it then stands. */
  cancelPayment(request: { reference: string; idempotencyKey: string }): Promise<PaymentState>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /** A refund asked for with this key and metadata, if the provider made it. */
  findRefund(request: RefundLookup): Promise<RefundResult | NotFound>;
  /** The customer as the provider knows them (made once per customer, by idempotency key). */
  createCustomer(request: { customerId: string; idempotencyKey: string }): Promise<{ reference: string }>;
  /** Starts saving a card for a customer: the client completes it with the secret. */
  createSetup(request: { customerReference: string; idempotencyKey: string }): Promise<SetupStarted>;
  /** What identifies a saved card to its owner. */
  describeMethod(methodReference: string): Promise<CardDescription>;
  /** Forgets a saved card at the provider; one already gone is fine. */
  detachMethod(methodReference: string): Promise<void>;
  /**
   * Checks a webhook's signature and reads it. A bad or stale signature, or a body that is not an
   * event, is a `WebhookSignatureError`: nothing of it may be applied.
   */
  verifyWebhook(rawBody: Buffer, signature: string | undefined): ProviderEvent;
}

/** How the customer pays: the provider's token of their card, or a card they saved with it. */
export type PaymentSource =
  { kind: "token"; token: string } | { kind: "saved"; customerReference: string; methodReference: string };

export interface CaptureRequest {
  idempotencyKey: string;
  source: PaymentSource;
  amountMinor: bigint;
  currency: string;
  /** Goes with the payment to the provider, so it can be found again. */
  metadata: { orderId: string; paymentId: string };
}

export interface PaymentLookup {
  idempotencyKey: string;
  /** The provider's reference, when an answer recorded it. */
  reference: string | null;
  metadata: { orderId: string; paymentId: string };
}

/** What the customer must do for a payment that requires action. */
export interface NextAction {
  type: "USE_SDK" | "REDIRECT";
  clientSecret: string | null;
  redirectUrl: string | null;
}

/** Where a payment stands at the provider. */
export type PaymentState =
  | { status: "captured"; reference: string }
  | { status: "declined"; reference: string | null; reason: DeclineReason; detail: string }
  | { status: "requires_action"; reference: string; action: NextAction }
  /** Accepted and not settled yet (asynchronous methods, or authentication just completed). */
  | { status: "processing"; reference: string }
  | { status: "canceled"; reference: string };

export interface NotFound {
  status: "not_found";
}

export interface RefundRequest {
  idempotencyKey: string;
  captureReference: string;
  amountMinor: bigint;
  currency: string;
  metadata: { orderId: string; paymentId: string; refundId: string };
}

export interface RefundLookup {
  idempotencyKey: string;
  captureReference: string;
  metadata: { refundId: string };
}

export interface RefundResult {
  status: "refunded";
  reference: string;
}

export interface SetupStarted {
  reference: string;
  clientSecret: string;
}

export interface CardDescription {
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
}

/** A provider's notification, read into what payments acts on. */
export type ProviderEvent =
  | { id: string; kind: "payment"; paymentId: string; state: PaymentState }
  | { id: string; kind: "refund"; refundId: string; reference: string; outcome: "refunded" | "failed" }
  | { id: string; kind: "setup"; setupReference: string; customerReference: string; methodReference: string }
  /** Something payments does not act on (another type, or an object that is not ours). */
  | { id: string; kind: "ignored"; type: string };

/** The provider failed or did not answer: the same request may succeed if tried again. */
export class TransientProviderError extends Error {
  override name = "TransientProviderError";
}

/** The provider refused the request as malformed or impossible: trying it again never helps. */
export class ProviderRejectedError extends Error {
  override name = "ProviderRejectedError";
}

/** A webhook whose signature does not hold (or is too old): it is refused and changes nothing. */
export class WebhookSignatureError extends Error {
  override name = "WebhookSignatureError";
}
