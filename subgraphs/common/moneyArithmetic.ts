/**
 * Arithmetic on money as integer minor units (bigint) with its currency. Nothing here ever goes
 * through a float: rates are integers too, in parts per million of the base (20 % is 200_000,
 * 8.875 % is 88_750), and every division rounds half to even (banker's rounding), so a long run
 * of roundings does not drift one way.
 */

/** An amount of money: minor units of one currency. */
export interface Amount {
  readonly minor: bigint;
  readonly currency: string;
}

/** A rate of 100 %, in parts per million. */
export const wholePpm = 1_000_000n;

/** Two amounts of different currencies met in one sum: a programming error, never rounded away. */
export class CurrencyMismatchError extends Error {
  constructor(a: string, b: string) {
    super(`cannot combine ${a} and ${b} amounts`);
  }
}

export function amount(minor: bigint, currency: string): Amount {
  return { minor, currency };
}

function sameCurrency(a: Amount, b: Amount): string {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return a.currency;
}

export function add(a: Amount, b: Amount): Amount {
  return { minor: a.minor + b.minor, currency: sameCurrency(a, b) };
}

export function subtract(a: Amount, b: Amount): Amount {
  return { minor: a.minor - b.minor, currency: sameCurrency(a, b) };
}

/** The sum of amounts, all of `currency` (zero for none). */
export function sum(currency: string, amounts: Iterable<Amount>): Amount {
  let total = amount(0n, currency);
  for (const each of amounts) total = add(total, each);
  return total;
}

/** numerator / denominator rounded to the nearest integer, ties to the even one. */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  if (denominator < 0n) return divideHalfEven(-numerator, -denominator);
  if (numerator < 0n) return -divideHalfEven(-numerator, denominator);
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

/** `ratePpm` parts per million of `minor`, half-even: percentage(1999n, 200_000n) = 400n (19.99 × 20 % = 3.998). */
export function percentage(minor: bigint, ratePpm: bigint): bigint {
  return divideHalfEven(minor * ratePpm, wholePpm);
}

/** The tax inside a tax-inclusive amount at `ratePpm`, half-even: gross × rate / (1 + rate). */
export function includedTax(grossMinor: bigint, ratePpm: bigint): bigint {
  return divideHalfEven(grossMinor * ratePpm, wholePpm + ratePpm);
}

/**
 * Splits `total` across `weights` in proportion, so that the parts sum to `total` exactly
 * (largest remainder: every part gets its floor, and the units left go one each to the parts
 * with the largest remainders, the earlier part first on a tie). Weights are non-negative; when
 * they are all zero, the split is even. A negative total is split as its opposite, negated.
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) {
    if (total !== 0n) throw new RangeError("cannot allocate a non-zero amount across no weights");
    return [];
  }
  if (weights.some((weight) => weight < 0n)) throw new RangeError("allocation weights must not be negative");
  if (total < 0n) return allocate(-total, weights).map((part) => -part);
  const sumOfWeights = weights.reduce((a, b) => a + b, 0n);
  const effective = sumOfWeights === 0n ? weights.map(() => 1n) : weights;
  const denominator = sumOfWeights === 0n ? BigInt(weights.length) : sumOfWeights;
  const parts = effective.map((weight) => (total * weight) / denominator);
  const remainders = effective.map((weight, index) => ({ index, remainder: (total * weight) % denominator }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index]! += 1n;
    left -= 1n;
  }
  return parts;
}

/** The smaller of two bigints. */
export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The larger of two bigints. */
export function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

const ratePattern = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** Parses a percentage such as `20` or `8.875` (0 to 100, up to four decimals) into parts per million. */
export function parsePercent(value: string): bigint | null {
  const match = ratePattern.exec(value.trim());
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  const ppm = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, "0"));
  return ppm > wholePpm ? null : ppm;
}

/** Formats parts per million as a percentage without trailing zeros: 88_750n → "8.875". */
export function formatPercent(ppm: bigint): string {
  const whole = ppm / 10_000n;
  const fraction = (ppm % 10_000n).toString().padStart(4, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}
