import { randomBytes } from "node:crypto";
import type { FormValue } from "./formBody";
import { testCardNumbers, testCards, testTokens, type TestCard } from "./testCards";

/** What an endpoint answers: an HTTP status and Stripe's JSON. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

type Params = Record<string, FormValue>;
type StripeObject = Record<string, unknown> & { id: string };

const suffix = (length = 24) => randomBytes(length).toString("base64url").replace(/[-_]/g, "x").slice(0, length);
const now = () => Math.floor(Date.now() / 1000);
const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body });

/** Stripe's error JSON: `{ error: { type, code, decline_code, message, param, … } }`. */
export function stripeError(status: number, error: Record<string, unknown>): Answer {
  return {
    status,
    body: { error: { ...error, doc_url: `https://stripe.com/docs/error-codes/${String(error.code ?? "")}` } },
  };
}

const missing = (kind: string, id: string, param = "id") =>
  stripeError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${kind}: '${id}'`,
  });

/** Stripe's minimum charge per currency, in minor units (the fake knows these currencies only). */
const minimumCharge: Readonly<Record<string, number>> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50 };
const maximumCharge = 99_999_999;
const cancelable = new Set([
  "requires_payment_method",
  "requires_capture",
  "requires_confirmation",
  "requires_action",
  "processing",
]);

const text = (value: FormValue | undefined): string | undefined => (typeof value === "string" ? value : undefined);
const metadataOf = (params: Params) => (params.metadata && typeof params.metadata === "object" ? params.metadata : {});

/**
 * One Stripe account as the fake keeps it: PaymentIntents, refunds, Customers, SetupIntents and
 * PaymentMethods, behaving as Stripe documents them for the subset payments uses. Every change
 * an event would tell is handed to `emit` (the server delivers it as a signed webhook).
 */
export class FakeStripeAccount {
  readonly intents = new Map<string, StripeObject>();
  readonly refunds = new Map<string, StripeObject>();
  readonly customers = new Map<string, StripeObject>();
  readonly setups = new Map<string, StripeObject>();
  readonly methods = new Map<string, StripeObject & { card: TestCard }>();

  constructor(private readonly emit: (type: string, object: StripeObject) => void) {}

  createPaymentIntent(params: Params): Answer {
    const amount = Number(text(params.amount));
    const currency = text(params.currency) ?? "";
    if (!Number.isInteger(amount) || amount < 1)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "parameter_invalid_integer",
        param: "amount",
        message: "Invalid integer",
      });
    if (minimumCharge[currency] === undefined)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "parameter_invalid_string",
        param: "currency",
        message: `Invalid currency: ${currency}`,
      });
    if (amount < minimumCharge[currency]!)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "amount_too_small",
        param: "amount",
        message: "Amount must be at least the minimum charge",
      });
    if (amount > maximumCharge)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount",
        message: "Amount must be no more than 999,999.99",
      });
    const methodId = text(params.payment_method);
    const method = methodId ? this.method(methodId) : undefined;
    if (methodId && !method) return missing("PaymentMethod", methodId, "payment_method");
    const customer = text(params.customer);
    if (customer && !this.customers.has(customer)) return missing("customer", customer, "customer");
    const id = `pi_${suffix()}`;
    const intent: StripeObject = {
      id,
      object: "payment_intent",
      amount,
      amount_received: 0,
      currency,
      customer: customer ?? null,
      payment_method: methodId ?? null,
      status: methodId ? "requires_confirmation" : "requires_payment_method",
      client_secret: `${id}_secret_${suffix()}`,
      metadata: metadataOf(params),
      next_action: null,
      last_payment_error: null,
      latest_charge: null,
      cancellation_reason: null,
      created: now(),
      livemode: false,
    };
    this.intents.set(id, intent);
    this.emit("payment_intent.created", intent);
    if (text(params.confirm) !== "true" || !method) return ok(intent);
    return this.confirm(intent, method.card, text(params.off_session) === "true");
  }

  retrievePaymentIntent(id: string): Answer {
    const intent = this.intents.get(id);
    return intent ? ok(intent) : missing("payment_intent", id);
  }

  /** Search, for the clauses payments sends: `metadata['key']:'value'`, joined by AND. */
  searchPaymentIntents(query: string): Answer {
    const clauses = [...query.matchAll(/metadata\['([^']+)'\]:'([^']*)'/g)].map(
      ([, key = "", value = ""]) => [key, value] as const,
    );
    if (clauses.length === 0)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "parameter_invalid_string",
        param: "query",
        message: "Unsupported search query",
      });
    const data = [...this.intents.values()].filter((intent) =>
      clauses.every(([key, value]) => (intent.metadata as Record<string, string>)[key] === value),
    );
    return ok({ object: "search_result", url: "/v1/payment_intents/search", has_more: false, next_page: null, data });
  }

  cancelPaymentIntent(id: string, params: Params): Answer {
    const intent = this.intents.get(id);
    if (!intent) return missing("payment_intent", id);
    if (!cancelable.has(intent.status as string)) {
      return stripeError(400, {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message: `You cannot cancel this PaymentIntent because it has a status of ${String(intent.status)}.`,
        payment_intent: intent,
      });
    }
    Object.assign(intent, {
      status: "canceled",
      next_action: null,
      cancellation_reason: text(params.cancellation_reason) ?? null,
    });
    this.emit("payment_intent.canceled", intent);
    return ok(intent);
  }

  /** A PaymentIntent as Stripe.js reads it in the browser: with its client secret only. */
  retrievePaymentIntentAsClient(id: string, clientSecret: FormValue | undefined): Answer {
    const intent = this.intents.get(id);
    if (!intent) return missing("payment_intent", id);
    if (text(clientSecret) !== intent.client_secret)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "payment_intent_invalid_parameter",
        param: "client_secret",
        message: "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
      });
    return ok(intent);
  }

  /**
   * The shopper answers the bank's 3-D Secure challenge that Stripe.js shows (`payment_intent`,
   * its `client_secret`, and `outcome`: `succeeded` or `failed`): the intent is settled as
   * `completeAction` settles it, and answered as it then stands.
   */
  authenticate(params: Params): Answer {
    const id = text(params.payment_intent) ?? "";
    const found = this.retrievePaymentIntentAsClient(id, params.client_secret);
    if (found.status !== 200) return found;
    try {
      return ok(this.completeAction(id, text(params.outcome) === "failed" ? "failed" : "succeeded"));
    } catch {
      return stripeError(400, {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message: "This PaymentIntent is not waiting for its customer to authenticate.",
      });
    }
  }

  /** The customer completes (or fails) 3-D Secure in Stripe.js, for an intent waiting for it. */
  completeAction(id: string, outcome: "succeeded" | "failed"): StripeObject {
    const intent = this.intents.get(id);
    const waiting =
      intent?.status === "requires_action" ||
      (intent?.status === "requires_payment_method" &&
        (intent.last_payment_error as { code?: string } | null)?.code === "authentication_required");
    if (!intent || !waiting) throw new Error(`fake Stripe: ${id} is not waiting for its customer`);
    if (outcome === "succeeded") this.succeed(intent);
    else {
      Object.assign(intent, {
        status: "requires_payment_method",
        next_action: null,
        last_payment_error: {
          type: "invalid_request_error",
          code: "payment_intent_authentication_failure",
          message: "The provided PaymentMethod has failed authentication.",
        },
      });
      this.emit("payment_intent.payment_failed", intent);
    }
    return intent;
  }

  createRefund(params: Params): Answer {
    const intentId = text(params.payment_intent) ?? "";
    const intent = this.intents.get(intentId);
    if (!intent) return missing("payment_intent", intentId, "payment_intent");
    if (intent.status !== "succeeded") {
      return stripeError(400, {
        type: "invalid_request_error",
        code: "charge_not_refundable",
        message: "This PaymentIntent has no successful charge to refund.",
      });
    }
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund.payment_intent === intentId && refund.status === "succeeded")
      .reduce((sum, refund) => sum + (refund.amount as number), 0);
    const left = (intent.amount as number) - refunded;
    const amount = params.amount === undefined ? left : Number(text(params.amount));
    if (left <= 0)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "charge_already_refunded",
        message: "The charge has already been refunded.",
      });
    if (!Number.isInteger(amount) || amount < 1 || amount > left) {
      return stripeError(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount",
        message: `Refund amount is greater than the unrefunded amount on the charge (${left}).`,
      });
    }
    const refund: StripeObject = {
      id: `re_${suffix()}`,
      object: "refund",
      amount,
      currency: intent.currency,
      payment_intent: intentId,
      charge: intent.latest_charge,
      reason: text(params.reason) ?? null,
      status: "succeeded",
      metadata: metadataOf(params),
      created: now(),
    };
    this.refunds.set(refund.id, refund);
    this.emit("refund.created", refund);
    return ok(refund);
  }

  listRefunds(paymentIntent: string | undefined, limit: number): Answer {
    const data = [...this.refunds.values()]
      .filter((refund) => !paymentIntent || refund.payment_intent === paymentIntent)
      .sort((a, b) => (b.created as number) - (a.created as number))
      .slice(0, limit);
    return ok({ object: "list", url: "/v1/refunds", has_more: false, data });
  }

  createCustomer(params: Params): Answer {
    const customer: StripeObject = {
      id: `cus_${suffix(14)}`,
      object: "customer",
      metadata: metadataOf(params),
      created: now(),
    };
    this.customers.set(customer.id, customer);
    return ok(customer);
  }

  createSetupIntent(params: Params): Answer {
    const customer = text(params.customer);
    if (customer && !this.customers.has(customer)) return missing("customer", customer, "customer");
    const id = `seti_${suffix()}`;
    const setup: StripeObject = {
      id,
      object: "setup_intent",
      customer: customer ?? null,
      client_secret: `${id}_secret_${suffix()}`,
      status: "requires_payment_method",
      usage: text(params.usage) ?? "off_session",
      payment_method: null,
      created: now(),
    };
    this.setups.set(id, setup);
    return ok(setup);
  }

  retrieveSetupIntent(id: string): Answer {
    const setup = this.setups.get(id);
    return setup ? ok(setup) : missing("setup_intent", id);
  }

  /** The customer enters a test card in Stripe.js for a setup: it is saved to the setup's customer. */
  completeSetup(id: string, testCard: keyof typeof testCards): StripeObject {
    const setup = this.setups.get(id);
    if (!setup || setup.status !== "requires_payment_method")
      throw new Error(`fake Stripe: ${id} is not waiting for a card`);
    const method = this.newMethod(testCards[testCard]!, setup.customer as string | null);
    Object.assign(setup, { status: "succeeded", payment_method: method.id });
    this.emit("setup_intent.succeeded", setup);
    return setup;
  }

  /**
   * `type=card&card[token]=tok_…`: a PaymentMethod made from a legacy card token; or, as Stripe.js
   * sends what a shopper typed, `card[number]` (a test card number), `card[exp_month]`,
   * `card[exp_year]`, `card[cvc]`.
   */
  createPaymentMethod(params: Params): Answer {
    const card = params.card && typeof params.card === "object" && !Array.isArray(params.card) ? params.card : {};
    const number = text(card.number)?.replace(/\s/g, "");
    if (number !== undefined) {
      const known = testCardNumbers[number];
      if (text(params.type) !== "card" || !known)
        return stripeError(402, {
          type: "card_error",
          code: "incorrect_number",
          param: "card[number]",
          message: "Your card number is incorrect.",
        });
      return ok(this.view(this.newMethod(testCards[known]!, null)));
    }
    const token = text(card.token) ?? "";
    const source = testTokens[token];
    if (text(params.type) !== "card" || !source)
      return stripeError(400, {
        type: "invalid_request_error",
        code: "resource_missing",
        param: "card[token]",
        message: `No such token: '${token}'`,
      });
    return ok(this.view(this.newMethod(testCards[source]!, null)));
  }

  retrievePaymentMethod(id: string): Answer {
    const method = this.method(id);
    return method ? ok(this.view(method)) : missing("PaymentMethod", id);
  }

  detachPaymentMethod(id: string): Answer {
    const method = this.methods.get(id);
    if (!method) return missing("PaymentMethod", id);
    if (!method.customer) {
      return stripeError(400, {
        type: "invalid_request_error",
        code: "payment_method_unexpected_state",
        message: "The payment method you provided is not attached to a customer so detachment is impossible.",
      });
    }
    method.customer = null;
    return ok(this.view(method));
  }

  private confirm(intent: StripeObject, card: TestCard, offSession: boolean): Answer {
    const behaviour = card.behaviour;
    if (behaviour.kind === "succeed") {
      this.succeed(intent);
      return ok(intent);
    }
    if (behaviour.kind === "authenticate" && !offSession) {
      Object.assign(intent, {
        status: "requires_action",
        next_action: {
          type: "use_stripe_sdk",
          use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: "https://hooks.stripe.com/3d_secure_2/hosted" },
        },
      });
      this.emit("payment_intent.requires_action", intent);
      return ok(intent);
    }
    const [code, declineCode] =
      behaviour.kind === "decline"
        ? [behaviour.code, behaviour.declineCode ?? behaviour.code]
        : ["authentication_required", "authentication_required"];
    const message =
      code === "authentication_required"
        ? "Your card was declined. This transaction requires authentication."
        : "Your card was declined.";
    const error = { type: "card_error", code, decline_code: declineCode, message };
    Object.assign(intent, { status: "requires_payment_method", last_payment_error: error });
    this.emit("payment_intent.payment_failed", intent);
    return stripeError(402, { ...error, payment_intent: intent });
  }

  private succeed(intent: StripeObject): void {
    Object.assign(intent, {
      status: "succeeded",
      next_action: null,
      amount_received: intent.amount,
      latest_charge: `ch_${suffix()}`,
    });
    this.emit("payment_intent.succeeded", intent);
    this.emit("charge.succeeded", { id: intent.latest_charge as string, object: "charge", payment_intent: intent.id });
  }

  /** A test PaymentMethod by its well-known id (`pm_card_visa`), or one made here. */
  private method(id: string): (StripeObject & { card: TestCard }) | undefined {
    const made = this.methods.get(id);
    if (made) return made;
    const card = testCards[id];
    return card ? { id, object: "payment_method", customer: null, card } : undefined;
  }

  private newMethod(card: TestCard, customer: string | null): StripeObject & { card: TestCard } {
    const method = { id: `pm_${suffix()}`, object: "payment_method", customer, card };
    this.methods.set(method.id, method);
    return method;
  }

  /** A PaymentMethod as the API shows it (the card's number never appears, only its last four digits). */
  private view(method: StripeObject & { card: TestCard }): Record<string, unknown> {
    const year = new Date().getUTCFullYear() + 3;
    return {
      id: method.id,
      object: "payment_method",
      type: "card",
      customer: method.customer,
      card: {
        brand: method.card.brand,
        last4: method.card.last4,
        exp_month: 12,
        exp_year: year,
        funding: "credit",
        country: "US",
      },
      created: now(),
      livemode: false,
    };
  }
}
