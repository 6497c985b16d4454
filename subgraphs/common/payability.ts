import { formatAmount } from "./money";

/**
 * The smallest charge per currency, in minor units: what card networks let a provider take after
 * its fees (Stripe's published minimum charge amounts). Currencies not listed are not payable.
 * Every one has two decimals, as the system's money does: zero-decimal currencies such as JPY
 * would need amounts in other units at the provider.
 */
export const minimumChargeMinor: Readonly<Record<string, bigint>> = {
  USD: 50n,
  EUR: 50n,
  GBP: 30n,
  CAD: 50n,
  AUD: 50n,
  CHF: 50n,
  SEK: 300n,
  NOK: 300n,
  DKK: 250n,
  PLN: 200n,
};

/** The largest charge: eight digits of minor units (99,999,999 = 999,999.99), Stripe's limit. */
export const maximumChargeMinor = 99_999_999n;

export type Payability =
  | { payable: true }
  | {
      payable: false;
      reason: "UNSUPPORTED_CURRENCY" | "AMOUNT_TOO_SMALL" | "AMOUNT_TOO_LARGE";
      /** Says what is wrong and what would do, for the customer. */
      message: string;
    };

/**
 * Whether an order of this total can be paid at all: a supported currency, at least its minimum
 * charge and at most the maximum. Orders asks it before placing an order, so one that no
 * provider would take is refused at once rather than declined after its stock was reserved.
 */
export function payability(amount: { amountMinor: bigint; currency: string }): Payability {
  const minimum = minimumChargeMinor[amount.currency];
  if (minimum === undefined) {
    return {
      payable: false,
      reason: "UNSUPPORTED_CURRENCY",
      message: `Payments in ${amount.currency} are not accepted; use one of ${Object.keys(minimumChargeMinor).join(", ")}.`,
    };
  }
  if (amount.amountMinor < minimum) {
    return {
      payable: false,
      reason: "AMOUNT_TOO_SMALL",
      message: `An order must come to at least ${formatAmount(minimum)} ${amount.currency} to be paid by card.`,
    };
  }
  if (amount.amountMinor > maximumChargeMinor) {
    return {
      payable: false,
      reason: "AMOUNT_TOO_LARGE",
      message: `An order can come to at most ${formatAmount(maximumChargeMinor)} ${amount.currency} to be paid by card.`,
    };
  }
  return { payable: true };
}
