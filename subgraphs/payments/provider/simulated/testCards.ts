import type { DeclineReason } from "../declineReasons";
import type { CardDescription } from "../paymentProvider";

/** What the simulated provider does with a token, as card networks' test cards do. */
export type TokenBehaviour =
  | { kind: "capture" }
  | { kind: "decline"; reason: DeclineReason }
  /** Fails with a transient error on the first call (per idempotency key), then captures. */
  | { kind: "flaky" }
  | { kind: "unreachable" }
  /** Waits for the customer to authenticate (3-D Secure). */
  | { kind: "requires_action" };

/**
 * `tok_visa`, `tok_mastercard`, `tok_ok_*` capture; `tok_declined` and `tok_insufficient_funds`
 * are declined; `tok_flaky` fails once, then captures; `tok_unreachable` always fails
 * transiently; `tok_3ds_required` waits for the customer to authenticate; `tok_refund_refused`
 * captures, but its refunds are refused. Anything else is declined as `invalid_token`.
 */
export function behaviourOf(token: string): TokenBehaviour {
  switch (token) {
    case "tok_visa":
    case "tok_mastercard":
    case "tok_refund_refused":
      return { kind: "capture" };
    case "tok_declined":
      return { kind: "decline", reason: "card_declined" };
    case "tok_insufficient_funds":
      return { kind: "decline", reason: "insufficient_funds" };
    case "tok_flaky":
      return { kind: "flaky" };
    case "tok_unreachable":
      return { kind: "unreachable" };
    case "tok_3ds_required":
      return { kind: "requires_action" };
    default:
      return token.startsWith("tok_ok_") ? { kind: "capture" } : { kind: "decline", reason: "invalid_token" };
  }
}

/** The card a token stands for, as a saved method shows it. */
export function cardOf(token: string): CardDescription {
  const expiryYear = new Date().getUTCFullYear() + 3;
  if (token === "tok_mastercard") return { brand: "mastercard", last4: "4444", expiryMonth: 8, expiryYear };
  if (token === "tok_3ds_required") return { brand: "visa", last4: "3184", expiryMonth: 12, expiryYear };
  return { brand: "visa", last4: "4242", expiryMonth: 12, expiryYear };
}

/**
 * A saved method's reference carries its token (`pm_sim_<8 hex>_<token>`), so the simulated
 * provider decides a saved card as it decides its token, also in another process.
 */
export const savedMethodReference = (hex: string, token: string) => `pm_sim_${hex}_${token}`;

export function tokenOfSavedMethod(reference: string): string | null {
  return /^pm_sim_[0-9a-f]{8}_(tok_[a-z0-9_]+)$/.exec(reference)?.[1] ?? null;
}
