import { formatAmount } from "../../../common/money";
import { allocate, minBigint, percentage } from "../../../common/moneyArithmetic";
import type { Discount, PricingLine, RejectionReason } from "./pricingTypes";

export type Eligibility = { ok: true } | { ok: false; reason: RejectionReason; message: string };

const no = (reason: RejectionReason, message: string): Eligibility => ({ ok: false, reason, message });

/** Whether a line is one the discount is about: every line when it names no product or category. */
export function inScope(discount: Discount, line: PricingLine): boolean {
  if (discount.productIds.length === 0 && discount.categoryIds.length === 0) return true;
  return (
    discount.productIds.includes(line.productId) || line.categoryIds.some((id) => discount.categoryIds.includes(id))
  );
}

/** Whether a discount may apply to this checkout at all, and if not, why (in words a customer understands). */
export function eligibility(
  discount: Discount,
  lines: readonly PricingLine[],
  subtotalMinor: bigint,
  currency: string,
  now: Date,
): Eligibility {
  const name = discount.code ? `The code ${discount.code}` : `The promotion ${discount.title}`;
  if (!discount.active) return no("INACTIVE", `${name} is not active.`);
  if (discount.startsAt && now < discount.startsAt) return no("NOT_STARTED", `${name} is not valid yet.`);
  if (discount.endsAt && now >= discount.endsAt) return no("EXPIRED", `${name} has expired.`);
  if (discount.usageLimit !== null && discount.timesUsed >= discount.usageLimit)
    return no("EXHAUSTED", `${name} has reached its usage limit.`);
  if (discount.perCustomerLimit !== null && discount.customerUses >= discount.perCustomerLimit)
    return no("EXHAUSTED", `${name} was already used as many times as one customer may.`);
  if (subtotalMinor < discount.minSubtotalMinor)
    return no(
      "MIN_SUBTOTAL",
      `${name} needs a subtotal of at least ${formatAmount(discount.minSubtotalMinor)} ${currency}.`,
    );
  if (discount.kind === "FIXED_AMOUNT" && discount.currency !== currency)
    return no("NOT_APPLICABLE", `${name} is in ${discount.currency}; this checkout is in ${currency}.`);
  const scoped = lines.filter((line) => inScope(discount, line));
  if (discount.kind !== "FREE_SHIPPING" && scoped.length === 0)
    return no("NOT_APPLICABLE", `${name} applies to none of these products.`);
  if (discount.kind === "BUY_X_GET_Y") {
    const units = scoped.reduce((count, line) => count + line.quantity, 0);
    if (units < discount.buyQuantity + discount.getQuantity)
      return no(
        "NOT_APPLICABLE",
        `${name} needs ${discount.buyQuantity + discount.getQuantity} eligible items (buy ${discount.buyQuantity}, get ${discount.getQuantity}).`,
      );
  }
  return { ok: true };
}

/**
 * What a line discount takes off each line, given what is left of each line after the
 * discounts applied before it (`remaining`, by line index). Never more than is left of a line.
 */
export function lineDiscountParts(
  discount: Discount,
  lines: readonly PricingLine[],
  remaining: readonly bigint[],
): bigint[] {
  const parts = lines.map(() => 0n);
  const scopedIndexes = lines.flatMap((line, index) => (inScope(discount, line) ? [index] : []));
  const base = scopedIndexes.reduce((total, index) => total + remaining[index]!, 0n);
  if (base <= 0n) return parts;
  switch (discount.kind) {
    case "PERCENTAGE":
    case "FIXED_AMOUNT": {
      const off =
        discount.kind === "PERCENTAGE" ? percentage(base, discount.valuePpm) : minBigint(discount.amountMinor, base);
      // Spread in proportion to what is left of each line, exactly; no line goes below zero
      // since each share is at most its own remaining amount.
      const shares = allocate(
        off,
        scopedIndexes.map((index) => remaining[index]!),
      );
      scopedIndexes.forEach((lineIndex, position) => (parts[lineIndex] = shares[position]!));
      return parts;
    }
    case "BUY_X_GET_Y":
      return buyXGetYParts(discount, lines, remaining, scopedIndexes);
    case "FREE_SHIPPING":
      return parts;
  }
}

/**
 * Buy X get Y: for every X + Y eligible units, the Y cheapest units of the cart's eligible
 * units are discounted (100 %: free). Ties between equally priced units go to the earlier line.
 */
function buyXGetYParts(
  discount: Discount,
  lines: readonly PricingLine[],
  remaining: readonly bigint[],
  scopedIndexes: readonly number[],
): bigint[] {
  const parts = lines.map(() => 0n);
  const setSize = discount.buyQuantity + discount.getQuantity;
  const units = scopedIndexes.reduce((count, index) => count + lines[index]!.quantity, 0);
  let free = Math.floor(units / setSize) * discount.getQuantity;
  const cheapestFirst = [...scopedIndexes].sort((a, b) => {
    const pa = lines[a]!.unitPriceMinor;
    const pb = lines[b]!.unitPriceMinor;
    return pa === pb ? a - b : pa < pb ? -1 : 1;
  });
  for (const index of cheapestFirst) {
    if (free === 0) break;
    const line = lines[index]!;
    const taken = Math.min(free, line.quantity);
    free -= taken;
    parts[index] = minBigint(percentage(line.unitPriceMinor, discount.valuePpm) * BigInt(taken), remaining[index]!);
  }
  return parts;
}
