import { BadUserInputError } from "./errors";

/**
 * Money is an integer count of minor units (cents) inside the system, and an exact decimal
 * string outside it. Every supported currency has two decimals, as the contract says.
 */
export const supportedCurrencies = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN"] as const;
export type Currency = (typeof supportedCurrencies)[number];
export const defaultCurrency: Currency = "USD";

/** The largest amount accepted as input: 99,999,999.99 (keeps every sum far from overflow). */
export const maxAmountMinor = 9_999_999_999n;

/** The shape of `Money` in the API and in events. */
export interface Money {
  amount: string;
  currency: string;
}

const decimalPattern = /^(\d{1,8})(?:\.(\d{1,2}))?$/;

/** Parses a non-negative decimal string with at most two decimals into minor units. */
export function parseAmount(value: string, field: string): bigint {
  const match = decimalPattern.exec(value.trim());
  if (!match) {
    throw new BadUserInputError(
      `"${value}" is not a valid amount: use a non-negative decimal with at most two decimals, such as 19.99.`,
      field,
    );
  }
  const [, whole = "0", fraction = ""] = match;
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
}

export function parseCurrency(value: string | null | undefined, field: string): Currency {
  if (value === null || value === undefined) return defaultCurrency;
  const upper = value.trim().toUpperCase();
  if (!(supportedCurrencies as readonly string[]).includes(upper)) {
    throw new BadUserInputError(
      `Unsupported currency "${value}"; use one of ${supportedCurrencies.join(", ")}.`,
      field,
    );
  }
  return upper as Currency;
}

/** Formats minor units as an exact decimal string with two decimals: 1999n → "19.99". */
export function formatAmount(minor: bigint): string {
  const sign = minor < 0n ? "-" : "";
  const absolute = minor < 0n ? -minor : minor;
  const whole = absolute / 100n;
  const fraction = (absolute % 100n).toString().padStart(2, "0");
  return `${sign}${whole}.${fraction}`;
}

export function toMoney(minor: bigint, currency: string): Money {
  return { amount: formatAmount(minor), currency };
}

/** Reads a `Money` from an event or another service back into minor units. */
export function fromMoney(money: Money): bigint {
  const negative = money.amount.startsWith("-");
  const minor = parseAmount(negative ? money.amount.slice(1) : money.amount, "amount");
  return negative ? -minor : minor;
}
