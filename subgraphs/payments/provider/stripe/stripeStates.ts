import type Stripe from "stripe";
import type { DeclineReason } from "../declineReasons";
import type { PaymentState } from "../paymentProvider";

/**
 * Stripe's decline and error codes as the client-safe reasons payments shows. Codes a customer
 * can act on keep their meaning; everything else, including `fraudulent`, `lost_card` and
 * `stolen_card` (which Stripe advises never to tell the customer), is `card_declined`.
 */
const reasonByCode: Readonly<Record<string, DeclineReason>> = {
  insufficient_funds: "insufficient_funds",
  expired_card: "expired_card",
  incorrect_cvc: "incorrect_cvc",
  invalid_cvc: "incorrect_cvc",
  incorrect_number: "incorrect_number",
  invalid_number: "incorrect_number",
  processing_error: "processing_error",
  card_not_supported: "card_not_supported",
  currency_not_supported: "currency_not_supported",
  authentication_required: "authentication_failed",
  payment_intent_authentication_failure: "authentication_failed",
  amount_too_small: "amount_not_payable",
  amount_too_large: "amount_not_payable",
};

/** A decline as one of our reasons: the decline code first (more precise), then the error code. */
export function declineReasonOf(
  declineCode: string | null | undefined,
  code: string | null | undefined,
): DeclineReason {
  return (declineCode && reasonByCode[declineCode]) || (code && reasonByCode[code]) || "card_declined";
}

/** What the back office sees of a decline: Stripe's codes, never its message (which may quote card details). */
export function declineDetailOf(declineCode: string | null | undefined, code: string | null | undefined): string {
  return [code, declineCode].filter(Boolean).join("/") || "declined";
}

/** Where a PaymentIntent stands, as payments reads it. */
export function stateOfIntent(intent: Stripe.PaymentIntent): PaymentState {
  const reference = intent.id;
  switch (intent.status) {
    case "succeeded":
      return { status: "captured", reference };
    case "requires_action": {
      const redirect = intent.next_action?.type === "redirect_to_url" ? intent.next_action.redirect_to_url : null;
      return {
        status: "requires_action",
        reference,
        action: {
          type: redirect ? "REDIRECT" : "USE_SDK",
          clientSecret: intent.client_secret,
          redirectUrl: redirect?.url ?? null,
        },
      };
    }
    case "canceled":
      return { status: "canceled", reference };
    case "requires_payment_method": {
      // Confirmed and declined (or authentication failed): the intent waits for another card,
      // which this service never gives it.
      const error = intent.last_payment_error;
      return {
        status: "declined",
        reference,
        reason: declineReasonOf(error?.decline_code, error?.code),
        detail: declineDetailOf(error?.decline_code, error?.code),
      };
    }
    default:
      // processing, requires_confirmation, requires_capture: accepted, not settled yet.
      return { status: "processing", reference };
  }
}
