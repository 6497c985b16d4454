import { holdCustomerUse, holdDiscountUse } from "../../store/discountUseStore";
import type { SqlExecutor } from "../../../common/database/prismaOptions";
import type { NewOrder } from "../../store/orderStore";
import { DiscountCodeRejectedError } from "./checkoutPricing";
import type { PricedCheckout } from "./pricingTypes";

/** An automatic promotion ran out between pricing and placing: the order is priced again. */
export class PromotionExhaustedError extends Error {
  constructor(discountId: string) {
    super(`promotion ${discountId} reached its usage limit while the order was placed`);
  }
}

/** What an order keeps of its pricing: the totals, the method, the discount allocations and the tax lines (lines by position). */
export function orderPricing(
  priced: PricedCheckout,
): Pick<
  NewOrder,
  | "totalMinor"
  | "shippingMinor"
  | "discountMinor"
  | "taxMinor"
  | "pricesIncludeTax"
  | "shippingMethodId"
  | "shippingMethodName"
  | "discounts"
  | "taxLines"
> {
  return {
    totalMinor: priced.totalMinor,
    shippingMinor: priced.shippingMinor,
    discountMinor: priced.discountMinor,
    taxMinor: priced.taxMinor,
    pricesIncludeTax: priced.pricesIncludeTax,
    shippingMethodId: priced.shippingMethod?.id ?? null,
    shippingMethodName: priced.shippingMethod?.name ?? null,
    discounts: priced.discounts.map((discount) => ({
      discountId: discount.discountId,
      code: discount.code,
      title: discount.title,
      amountMinor: discount.amountMinor,
      shippingMinor: discount.shippingMinor,
      lines: discount.lines.map((line) => ({
        position: Number(line.lineId),
        amountMinor: line.amountMinor.toString(),
      })),
    })),
    taxLines: priced.taxLines.map((line) => ({
      position: line.lineId === null ? null : Number(line.lineId),
      taxCategory: line.taxCategory,
      ratePpm: Number(line.ratePpm),
      taxableMinor: line.taxableMinor,
      amountMinor: line.amountMinor,
    })),
  };
}

/**
 * Holds one use of every discount the order got, in the order's own transaction: a discount at
 * its limit (in total, or for this buyer: a customer, or a guest by email) rolls the order back. A code is then BAD_USER_INPUT
 * (EXHAUSTED); an automatic promotion makes the order be priced again without it.
 */
export async function holdDiscountUses(tx: SqlExecutor, priced: PricedCheckout, buyerKey: string): Promise<void> {
  for (const discount of priced.discounts) {
    const source = discount;
    // The buyer's own row first and the discount's row (which every checkout with it queues on)
    // last: it stays locked only for its UPDATE and the commit.
    const held =
      (await holdCustomerUse(tx, source.discountId, buyerKey)) && (await holdDiscountUse(tx, source.discountId));
    if (held) continue;
    if (source.code === null) throw new PromotionExhaustedError(source.discountId);
    throw new DiscountCodeRejectedError(
      `The code ${source.code} has reached its usage limit.`,
      "discountCodes",
      source.code,
      "EXHAUSTED",
    );
  }
}
