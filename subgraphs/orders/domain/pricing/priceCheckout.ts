import { eligibility, lineDiscountParts } from "./discounts";
import type {
  AvailableShippingMethod,
  Discount,
  DiscountAllocation,
  PricedCheckout,
  PricingInput,
  RejectedCode,
  TaxLine,
} from "./pricingTypes";
import { availableMethods, zoneFor } from "./shipping";
import { rateFor, taxOn } from "./taxes";

/**
 * The most discounts one checkout takes: the codes (at most 5, tried first, so never turned away
 * by this) and then automatic promotions until there are this many. It bounds what `Cart.cost`
 * and `Order.cost` list, and so what a query for them costs at the router.
 */
export const maxAppliedDiscounts = 10;

/** Codes compare without case or surrounding spaces, as customers type them. */
export const normalizeCode = (code: string) => code.trim().toUpperCase();

/**
 * Prices a checkout: the one calculation behind `Cart.cost` and the order's totals. Pure: the
 * caller reads the configuration and hands it in.
 *
 * 1. Subtotal: each line's unit price × quantity.
 * 2. Discounts, in this order: the codes as entered, then the automatic promotions. A discount
 *    that is not combinable applies only alone: it is skipped (a code: rejected, with its reason)
 *    when another discount already applies, and once it applies nothing else does. At most
 *    `maxAppliedDiscounts` apply: automatic promotions beyond them are left out. Line discounts
 *    (percentage, fixed, buy X get Y) each take from what earlier ones left of the lines, and are
 *    allocated to lines exactly (largest remainder).
 * 3. Shipping: the zone of the destination, the chosen method (or the cheapest), priced on the
 *    cart's weight and its subtotal after line discounts; free shipping discounts take it off.
 * 4. Tax: per line, on the line's amount after its discounts, and on shipping (standard
 *    category), each rounded half to even (see `taxOn`). With prices that include tax, the tax is
 *    inside the amounts and the total does not add it.
 * 5. Total: subtotal − discounts + shipping (+ tax when prices exclude it); never negative.
 */
export function priceCheckout(input: PricingInput): PricedCheckout {
  const { currency, lines, destination, now } = input;
  for (const line of lines) if (line.quantity < 0) throw new RangeError("a line's quantity is never negative");
  const lineAmounts = lines.map((line) => line.unitPriceMinor * BigInt(line.quantity));
  const subtotalMinor = lineAmounts.reduce((a, b) => a + b, 0n);

  const rejectedCodes: RejectedCode[] = [];
  const candidates: Array<{ discount: Discount; fromCode: boolean }> = [];
  const seenCodes = new Set<string>();
  for (const typed of input.codes) {
    const code = normalizeCode(typed);
    if (seenCodes.has(code)) continue;
    seenCodes.add(code);
    const discount = input.codeDiscounts.find((each) => each.code !== null && normalizeCode(each.code) === code);
    if (!discount) rejectedCodes.push({ code, reason: "UNKNOWN", message: `No discount has the code ${code}.` });
    else candidates.push({ discount, fromCode: true });
  }
  for (const discount of input.promotions) candidates.push({ discount, fromCode: false });

  const remaining = [...lineAmounts];
  const applied: Array<{ discount: Discount; parts: bigint[] }> = [];
  const seenIds = new Set<string>();
  for (const { discount, fromCode } of candidates) {
    if (seenIds.has(discount.id)) continue;
    seenIds.add(discount.id);
    if (!fromCode && applied.length >= maxAppliedDiscounts) continue;
    const verdict = eligibility(discount, lines, subtotalMinor, currency, now);
    const alone = applied.length > 0 && (!discount.combinable || applied.some((each) => !each.discount.combinable));
    if (!verdict.ok || alone) {
      if (fromCode) {
        rejectedCodes.push(
          verdict.ok
            ? {
                code: normalizeCode(discount.code!),
                reason: "NOT_COMBINABLE",
                message: `The code ${normalizeCode(discount.code!)} cannot be combined with the other discounts.`,
              }
            : { code: normalizeCode(discount.code!), reason: verdict.reason, message: verdict.message },
        );
      }
      continue;
    }
    const parts = lineDiscountParts(discount, lines, remaining);
    parts.forEach((part, index) => (remaining[index]! -= part));
    applied.push({ discount, parts });
  }
  const lineDiscountMinor = subtotalMinor - remaining.reduce((a, b) => a + b, 0n);
  const discountedSubtotal = subtotalMinor - lineDiscountMinor;

  // Shipping: none until the destination is known, and none when the shop configured no zone.
  let availableShippingMethods: AvailableShippingMethod[] = [];
  let shipsToDestination = true;
  let shippingMethodAvailable = true;
  let shippingMethod: AvailableShippingMethod | null = null;
  if (destination && input.zones.length > 0) {
    const zone = zoneFor(input.zones, destination);
    const weight = lines.reduce((total, line) => total + line.weightGrams * line.quantity, 0);
    availableShippingMethods = zone ? availableMethods(zone, weight, discountedSubtotal) : [];
    shipsToDestination = availableShippingMethods.length > 0;
    if (input.shippingMethodId !== null) {
      shippingMethod = availableShippingMethods.find((method) => method.id === input.shippingMethodId) ?? null;
      shippingMethodAvailable = shippingMethod !== null;
    } else {
      shippingMethod = availableShippingMethods[0] ?? null;
    }
  }
  const shippingMinor = shippingMethod?.amountMinor ?? 0n;

  let shippingLeft = shippingMinor;
  const allocations: DiscountAllocation[] = applied.map(({ discount, parts }) => {
    let shippingPart = 0n;
    if (discount.kind === "FREE_SHIPPING") {
      shippingPart = shippingLeft;
      shippingLeft = 0n;
    }
    const linePart = parts.reduce((a, b) => a + b, 0n);
    return {
      discountId: discount.id,
      title: discount.title,
      code: discount.code === null ? null : normalizeCode(discount.code),
      amountMinor: linePart + shippingPart,
      lines: parts.flatMap((amountMinor, index) =>
        amountMinor > 0n ? [{ lineId: lines[index]!.lineId, amountMinor }] : [],
      ),
      shippingMinor: shippingPart,
    };
  });
  // A discount that takes nothing off (free shipping on a free method) is not listed, and uses nothing up.
  const discounts = allocations.filter((each) => each.amountMinor > 0n);
  const discountMinor = discounts.reduce((total, each) => total + each.amountMinor, 0n);

  const taxLines: TaxLine[] = [];
  if (destination) {
    lines.forEach((line, index) => {
      const ratePpm = rateFor(input.taxRates, destination, line.taxCategory);
      if (ratePpm === null) return;
      const taxableMinor = remaining[index]!;
      const amountMinor = taxOn(taxableMinor, ratePpm, input.pricesIncludeTax);
      taxLines.push({ lineId: line.lineId, taxCategory: line.taxCategory, ratePpm, taxableMinor, amountMinor });
    });
    const shippingRate = shippingMinor > 0n ? rateFor(input.taxRates, destination, "STANDARD") : null;
    if (shippingRate !== null) {
      const taxableMinor = shippingLeft;
      const amountMinor = taxOn(taxableMinor, shippingRate, input.pricesIncludeTax);
      taxLines.push({ lineId: null, taxCategory: "STANDARD", ratePpm: shippingRate, taxableMinor, amountMinor });
    }
  }
  const taxMinor = taxLines.reduce((total, each) => total + each.amountMinor, 0n);
  const beforeTax = subtotalMinor - discountMinor + shippingMinor;
  const totalMinor = input.pricesIncludeTax ? beforeTax : beforeTax + taxMinor;

  return {
    currency,
    subtotalMinor,
    shippingMinor,
    shippingMethod,
    availableShippingMethods,
    shipsToDestination,
    shippingMethodAvailable,
    discounts,
    discountMinor,
    taxLines,
    taxMinor,
    pricesIncludeTax: input.pricesIncludeTax,
    // What is left of the lines plus what is left of shipping (+ tax): never negative.
    totalMinor,
    rejectedCodes,
  };
}
