import { includedTax, percentage } from "../../../common/moneyArithmetic";
import type { Destination, TaxCategory, TaxRate } from "./pricingTypes";

/**
 * The rate for a tax category at a destination: the region's own rate, else the country's;
 * null when the shop has none there (nothing is taxed, and no tax line is written).
 */
export function rateFor(rates: readonly TaxRate[], destination: Destination, category: TaxCategory): bigint | null {
  const region = destination.region?.trim().toLowerCase() ?? null;
  let countryRate: bigint | null = null;
  for (const rate of rates) {
    if (rate.country !== destination.country || rate.taxCategory !== category) continue;
    if (rate.region === null) countryRate = rate.ratePpm;
    else if (region !== null && rate.region.trim().toLowerCase() === region) return rate.ratePpm;
  }
  return countryRate;
}

/**
 * The one rounding rule for tax: computed per line (and once for shipping) on the line's amount
 * after its discounts, in minor units, rounded half to even. With prices that include tax, the
 * tax is the part of the amount that is tax: amount × rate / (1 + rate).
 */
export function taxOn(taxableMinor: bigint, ratePpm: bigint, pricesIncludeTax: boolean): bigint {
  if (taxableMinor <= 0n) return 0n;
  return pricesIncludeTax ? includedTax(taxableMinor, ratePpm) : percentage(taxableMinor, ratePpm);
}
