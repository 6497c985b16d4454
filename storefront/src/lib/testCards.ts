/**
 * The simulated payment provider's test cards (subgraphs/payments/provider/simulated/testCards.ts),
 * offered at checkout while the payments service runs the simulated provider (development, tests).
 * With Stripe configured, a card form from Stripe Elements replaces this list.
 */
export const testCards = [
  { token: "tok_visa", label: "Visa ending 4242 (succeeds)" },
  { token: "tok_mastercard", label: "Mastercard ending 4444 (succeeds)" },
  { token: "tok_declined", label: "Card that is declined" },
  { token: "tok_insufficient_funds", label: "Card with insufficient funds" },
] as const;

export type TestCardToken = (typeof testCards)[number]["token"];
