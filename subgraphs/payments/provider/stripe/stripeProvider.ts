import Stripe from "stripe";
import {
  ProviderRejectedError,
  TransientProviderError,
  WebhookSignatureError,
  type CaptureRequest,
  type CardDescription,
  type NotFound,
  type PaymentLookup,
  type PaymentProvider,
  type PaymentSource,
  type PaymentState,
  type ProviderEvent,
  type RefundLookup,
  type RefundRequest,
  type RefundResult,
  type SetupStarted,
} from "../paymentProvider";
import { readStripeEvent } from "./stripeEvents";
import { declineDetailOf, declineReasonOf, stateOfIntent } from "./stripeStates";

export interface StripeSettings {
  secretKey: string;
  /** The publishable key (`pk_…`) checkouts give Stripe.js; public, unlike the secret key. */
  publishableKey?: string;
  /** The webhook endpoint's signing secret (`whsec_…`). */
  webhookSecret: string;
  /** Where the API is; Stripe's own unless set (tests point the SDK at a local server). */
  host?: string;
  port?: number;
  protocol?: "http" | "https";
  /** Each request's limit; the SDK's default (80 s) would outlast the payment worker's lease. */
  timeoutMs: number;
  /** Retries of connection failures, 409s and 5xx by the SDK itself, with the same idempotency key. */
  maxNetworkRetries: number;
}

const notFound: NotFound = { status: "not_found" };
const { errors } = Stripe;

/** Stripe's errors as the provider interface's: what may succeed later is transient, the rest refused. */
function translate(error: unknown): Error {
  if (
    error instanceof errors.StripeConnectionError ||
    error instanceof errors.StripeRateLimitError ||
    error instanceof errors.StripeAPIError ||
    (error instanceof errors.StripeIdempotencyError && error.statusCode === 409)
  ) {
    return new TransientProviderError(`stripe: ${error.type}${error.statusCode ? ` (${error.statusCode})` : ""}`);
  }
  if (error instanceof errors.StripeAuthenticationError || error instanceof errors.StripePermissionError) {
    // A configuration problem, loud in the logs; the key itself is never quoted.
    return new Error(`stripe refused the API key (${error.type}): check STRIPE_SECRET_KEY`);
  }
  if (error instanceof errors.StripeError) {
    const what = [error.rawType ?? error.type, error.code, error.param].filter(Boolean).join(" ");
    return new ProviderRejectedError(`stripe: ${what}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A lookup that found nothing (an unknown id) is an answer, not a failure. */
const isMissing = (error: unknown) =>
  error instanceof errors.StripeInvalidRequestError && error.code === "resource_missing";

/**
 * The Stripe provider, on Stripe's official SDK: PaymentIntents created and confirmed at once
 * with the payment's idempotency key, the amount in minor units and the currency, and metadata
 * naming the order and the payment (so every intent can be found again, by search); refunds with
 * their own key and metadata; Customers and SetupIntents for saved cards; webhooks verified with
 * the endpoint's signing secret. Tokens may be PaymentMethod ids (`pm_…`, what Stripe.js makes)
 * or legacy card tokens (`tok_…`, turned into a PaymentMethod first).
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = "stripe" as const;
  readonly signatureHeader = "stripe-signature";
  readonly publishableKey: string | undefined;
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    this.publishableKey = settings.publishableKey;
    this.stripe = new Stripe(settings.secretKey, {
      timeout: settings.timeoutMs,
      maxNetworkRetries: settings.maxNetworkRetries,
      // These machines reach no one but Stripe; nothing about requests is sent elsewhere.
      telemetry: false,
      appInfo: { name: "commerce-supergraph" },
      ...(settings.host ? { host: settings.host } : {}),
      ...(settings.port ? { port: settings.port } : {}),
      ...(settings.protocol ? { protocol: settings.protocol } : {}),
    });
  }

  async capture(request: CaptureRequest): Promise<PaymentState> {
    try {
      const method = await this.paymentMethodOf(request.source, request.idempotencyKey);
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: Number(request.amountMinor),
          currency: request.currency.toLowerCase(),
          confirm: true,
          payment_method: method,
          ...(request.source.kind === "saved" ? { customer: request.source.customerReference } : {}),
          allowed_payment_method_types: ["card"],
          // The customer authenticates in the shop's page with Stripe.js, given the client secret.
          use_stripe_sdk: true,
          metadata: { order_id: request.metadata.orderId, payment_id: request.metadata.paymentId },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return stateOfIntent(intent);
    } catch (error) {
      return this.declineOrThrow(error);
    }
  }

  async findPayment(request: PaymentLookup): Promise<PaymentState | NotFound> {
    try {
      if (request.reference) return stateOfIntent(await this.stripe.paymentIntents.retrieve(request.reference));
      // Stripe cannot look an idempotency key up, but every intent carries its payment's id.
      const found = await this.stripe.paymentIntents.search({
        query: `metadata['payment_id']:'${request.metadata.paymentId}'`,
        limit: 10,
      });
      const latest = [...found.data].sort((a, b) => b.created - a.created)[0];
      return latest ? stateOfIntent(latest) : notFound;
    } catch (error) {
      if (isMissing(error)) return notFound;
      throw translate(error);
    }
  }

  async cancelPayment(request: { reference: string; idempotencyKey: string }): Promise<PaymentState> {
    try {
      const intent = await this.stripe.paymentIntents.cancel(
        request.reference,
        { cancellation_reason: "abandoned" },
        { idempotencyKey: request.idempotencyKey },
      );
      return stateOfIntent(intent);
    } catch (error) {
      throw translate(error);
    }
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    let refund: Stripe.Refund;
    try {
      refund = await this.stripe.refunds.create(
        {
          payment_intent: request.captureReference,
          amount: Number(request.amountMinor),
          reason: "requested_by_customer",
          metadata: {
            order_id: request.metadata.orderId,
            payment_id: request.metadata.paymentId,
            refund_id: request.metadata.refundId,
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
    } catch (error) {
      throw translate(error);
    }
    // A card refund is `succeeded` or, for some banks, `pending` and on its way.
    if (refund.status === "failed" || refund.status === "canceled")
      throw new ProviderRejectedError(
        `stripe: the refund is ${refund.status} (${refund.failure_reason ?? "no reason"})`,
      );
    return { status: "refunded", reference: refund.id };
  }

  async findRefund(request: RefundLookup): Promise<RefundResult | NotFound> {
    try {
      const refunds = await this.stripe.refunds.list({ payment_intent: request.captureReference, limit: 100 });
      const refund = refunds.data.find((each) => each.metadata?.refund_id === request.metadata.refundId);
      return refund && (refund.status === "succeeded" || refund.status === "pending")
        ? { status: "refunded", reference: refund.id }
        : notFound;
    } catch (error) {
      if (isMissing(error)) return notFound;
      throw translate(error);
    }
  }

  async createCustomer(request: { customerId: string; idempotencyKey: string }): Promise<{ reference: string }> {
    try {
      const customer = await this.stripe.customers.create(
        { metadata: { user_id: request.customerId } },
        { idempotencyKey: request.idempotencyKey },
      );
      return { reference: customer.id };
    } catch (error) {
      throw translate(error);
    }
  }

  async createSetup(request: { customerReference: string; idempotencyKey: string }): Promise<SetupStarted> {
    try {
      const setup = await this.stripe.setupIntents.create(
        { customer: request.customerReference, usage: "on_session", allowed_payment_method_types: ["card"] },
        { idempotencyKey: request.idempotencyKey },
      );
      if (!setup.client_secret) throw new ProviderRejectedError("stripe: the setup has no client secret");
      return { reference: setup.id, clientSecret: setup.client_secret };
    } catch (error) {
      throw translate(error);
    }
  }

  async describeMethod(methodReference: string): Promise<CardDescription> {
    let method: Stripe.PaymentMethod;
    try {
      method = await this.stripe.paymentMethods.retrieve(methodReference);
    } catch (error) {
      throw translate(error);
    }
    if (!method.card) throw new ProviderRejectedError(`stripe: ${methodReference} is not a card`);
    const { brand, last4, exp_month: expiryMonth, exp_year: expiryYear } = method.card;
    return { brand, last4, expiryMonth, expiryYear };
  }

  async detachMethod(methodReference: string): Promise<void> {
    try {
      await this.stripe.paymentMethods.detach(methodReference);
    } catch (error) {
      throw translate(error);
    }
  }

  verifyWebhook(rawBody: Buffer, signature: string | undefined): ProviderEvent {
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature ?? "", this.settings.webhookSecret);
    } catch (error) {
      if (error instanceof errors.StripeSignatureVerificationError || error instanceof SyntaxError)
        throw new WebhookSignatureError(`stripe: ${error.message.split("\n")[0]}`);
      throw error;
    }
    return readStripeEvent(event);
  }

  /** The PaymentMethod to confirm with: the saved one, a `pm_…` token as is, a legacy `tok_…` made into one. */
  private async paymentMethodOf(source: PaymentSource, idempotencyKey: string): Promise<string> {
    if (source.kind === "saved") return source.methodReference;
    if (!source.token.startsWith("tok_")) return source.token;
    const method = await this.stripe.paymentMethods.create(
      { type: "card", card: { token: source.token } },
      { idempotencyKey: `${idempotencyKey}:method` },
    );
    return method.id;
  }

  /**
   * A refused confirmation is an answer: a card declined (402), or a PaymentMethod Stripe does
   * not know. A soft decline that asks for authentication (`authentication_required`) leaves
   * the intent waiting for it, which the customer completes with its client secret.
   */
  private declineOrThrow(error: unknown): PaymentState {
    if (error instanceof errors.StripeCardError) {
      const intent = error.payment_intent;
      if (error.code === "authentication_required" && intent?.client_secret) {
        return {
          status: "requires_action",
          reference: intent.id,
          action: { type: "USE_SDK", clientSecret: intent.client_secret, redirectUrl: null },
        };
      }
      return {
        status: "declined",
        reference: intent?.id ?? null,
        reason: declineReasonOf(error.decline_code, error.code),
        detail: declineDetailOf(error.decline_code, error.code),
      };
    }
    if (
      error instanceof errors.StripeInvalidRequestError &&
      (error.code === "resource_missing" || error.param?.startsWith("payment_method"))
    ) {
      return {
        status: "declined",
        reference: null,
        reason: "invalid_token",
        detail: declineDetailOf(null, error.code),
      };
    }
    if (error instanceof errors.StripeInvalidRequestError && /^amount_too_(small|large)$/.test(error.code ?? "")) {
      return { status: "declined", reference: null, reason: "amount_not_payable", detail: error.code! };
    }
    throw translate(error);
  }
}
