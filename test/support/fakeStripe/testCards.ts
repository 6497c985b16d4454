/**
 * The test cards the fake Stripe knows, after Stripe's own test PaymentMethods and tokens
 * (docs.stripe.com/testing): what confirming a payment with each does.
 */
export type CardBehaviour =
  | { kind: "succeed" }
  | { kind: "decline"; code: string; declineCode?: string }
  /** 3-D Secure required: on session the intent waits for the customer; off session it is declined `authentication_required`. */
  | { kind: "authenticate" };

export interface TestCard {
  brand: string;
  last4: string;
  behaviour: CardBehaviour;
}

const visa = (last4: string, behaviour: CardBehaviour): TestCard => ({ brand: "visa", last4, behaviour });

export const testCards: Readonly<Record<string, TestCard>> = {
  pm_card_visa: visa("4242", { kind: "succeed" }),
  pm_card_mastercard: { brand: "mastercard", last4: "4444", behaviour: { kind: "succeed" } },
  pm_card_visa_chargeDeclined: visa("0002", { kind: "decline", code: "card_declined", declineCode: "generic_decline" }),
  pm_card_visa_chargeDeclinedInsufficientFunds: visa("9995", {
    kind: "decline",
    code: "card_declined",
    declineCode: "insufficient_funds",
  }),
  pm_card_visa_chargeDeclinedExpiredCard: visa("0069", { kind: "decline", code: "expired_card" }),
  pm_card_visa_chargeDeclinedFraudulent: visa("0019", {
    kind: "decline",
    code: "card_declined",
    declineCode: "fraudulent",
  }),
  pm_card_threeDSecure2Required: visa("3220", { kind: "authenticate" }),
  pm_card_authenticationRequired: visa("3184", { kind: "authenticate" }),
};

/** Legacy card tokens, which a PaymentMethod is made from (`card[token]`). */
export const testTokens: Readonly<Record<string, string>> = {
  tok_visa: "pm_card_visa",
  tok_mastercard: "pm_card_mastercard",
  tok_chargeDeclined: "pm_card_visa_chargeDeclined",
  tok_chargeDeclinedInsufficientFunds: "pm_card_visa_chargeDeclinedInsufficientFunds",
  tok_threeDSecure2Required: "pm_card_threeDSecure2Required",
};

/** Stripe's test card numbers, as a shopper types them into Stripe.js, by the test card they stand for. */
export const testCardNumbers: Readonly<Record<string, string>> = {
  "4242424242424242": "pm_card_visa",
  "5555555555554444": "pm_card_mastercard",
  "4000000000000002": "pm_card_visa_chargeDeclined",
  "4000000000009995": "pm_card_visa_chargeDeclinedInsufficientFunds",
  "4000000000000069": "pm_card_visa_chargeDeclinedExpiredCard",
  "4000000000000019": "pm_card_visa_chargeDeclinedFraudulent",
  "4000000000003220": "pm_card_threeDSecure2Required",
  "4000002760003184": "pm_card_authenticationRequired",
};
