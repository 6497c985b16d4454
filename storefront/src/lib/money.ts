/** Money as the API gives it: an exact decimal string and an ISO 4217 currency, never a float. */
export interface MoneyValue {
  amount: string;
  currency: string;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * `{ amount: "1234.50", currency: "USD" }` as `$1,234.50`. Intl formats the decimal string itself
 * (no conversion to a float on the way), so what is shown is exactly what the API said.
 */
export function formatMoney(money: MoneyValue, locale = "en-US"): string {
  if (!/^-?\d+(\.\d+)?$/.test(money.amount)) return `${money.amount} ${money.currency}`;
  try {
    return formatterFor(money.currency, locale).format(money.amount as `${number}`);
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

/** A price range as one price when both ends are equal, else `from – to`. */
export function formatPriceRange(min: MoneyValue, max: MoneyValue, locale = "en-US"): string {
  return min.amount === max.amount && min.currency === max.currency
    ? formatMoney(min, locale)
    : `${formatMoney(min, locale)} – ${formatMoney(max, locale)}`;
}

/**
 * A Money amount in minor units (`"61.67"` → 6167), as Stripe.js takes amounts: read from the
 * decimal string digit by digit, never through a float. The API's amounts have two decimals.
 */
export function toMinorUnits(amount: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) throw new Error(`not a positive amount with at most two decimals: ${amount}`);
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}
