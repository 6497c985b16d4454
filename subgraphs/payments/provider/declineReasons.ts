/**
 * Why a payment was declined, in words safe to show the customer: the payment's `failureReason`,
 * the order's history and `payments.payment.failed` carry these codes and never a provider's own
 * message. Reasons that would tell a fraudster something (a card reported lost or stolen, a
 * fraud suspicion) are all `card_declined`, as card networks advise.
 */
export const declineReasons = [
  "card_declined",
  "insufficient_funds",
  "expired_card",
  "incorrect_cvc",
  "incorrect_number",
  "processing_error",
  /** The customer did not pass the bank's authentication (3-D Secure). */
  "authentication_failed",
  "card_not_supported",
  "currency_not_supported",
  /** The amount is not one the provider takes (too small, too large). */
  "amount_not_payable",
  /** The token is not one the provider knows. */
  "invalid_token",
  /** The saved method is gone (removed by the customer, or not theirs). */
  "payment_method_unavailable",
  /** The provider cancelled the payment before it was taken. */
  "payment_canceled",
] as const;

export type DeclineReason = (typeof declineReasons)[number];

const known = new Set<string>(declineReasons);

/** A provider's code as one of ours; anything not listed is a plain `card_declined`. */
export function asDeclineReason(code: string | null | undefined): DeclineReason {
  return code && known.has(code) ? (code as DeclineReason) : "card_declined";
}
