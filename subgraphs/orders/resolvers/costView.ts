import { toMoney } from "../../common/money";
import { formatPercent } from "../../common/moneyArithmetic";
import type { PricedCheckout } from "../domain/pricing/pricingTypes";
import type { OrderDiscount, OrderTaxLine } from "../generated/prisma/client";
import type { OrderRecord } from "../store/records";

type TaxCategory = "STANDARD" | "REDUCED" | "ZERO";

/** `CheckoutCost` as the API answers it: every amount a `Money`. */
export interface CostView {
  subtotal: ReturnType<typeof toMoney>;
  shipping: ReturnType<typeof toMoney>;
  shippingMethod: { id: string; name: string; zoneName: string; price: ReturnType<typeof toMoney> } | null;
  discounts: Array<{
    amount: ReturnType<typeof toMoney>;
    code: string | null;
    promotion: string;
    promotionId: string;
    lines: Array<{ line: string; amount: ReturnType<typeof toMoney> }>;
    shipping: ReturnType<typeof toMoney>;
  }>;
  discountTotal: ReturnType<typeof toMoney>;
  tax: ReturnType<typeof toMoney>;
  taxLines: Array<{
    line: string | null;
    taxCategory: TaxCategory;
    rate: string;
    taxable: ReturnType<typeof toMoney>;
    amount: ReturnType<typeof toMoney>;
  }>;
  pricesIncludeTax: boolean;
  total: ReturnType<typeof toMoney>;
}

export function shippingOption(
  method: { id: string; name: string; zoneName: string; amountMinor: bigint },
  currency: string,
) {
  return { id: method.id, name: method.name, zoneName: method.zoneName, price: toMoney(method.amountMinor, currency) };
}

/** A cart's price now. */
export function costOfPriced(priced: PricedCheckout): CostView {
  const money = (minor: bigint) => toMoney(minor, priced.currency);
  return {
    subtotal: money(priced.subtotalMinor),
    shipping: money(priced.shippingMinor),
    shippingMethod: priced.shippingMethod ? shippingOption(priced.shippingMethod, priced.currency) : null,
    discounts: priced.discounts.map((discount) => ({
      amount: money(discount.amountMinor),
      code: discount.code,
      promotion: discount.title,
      promotionId: discount.discountId,
      lines: discount.lines.map((line) => ({ line: line.lineId, amount: money(line.amountMinor) })),
      shipping: money(discount.shippingMinor),
    })),
    discountTotal: money(priced.discountMinor),
    tax: money(priced.taxMinor),
    taxLines: priced.taxLines.map((line) => ({
      line: line.lineId,
      taxCategory: line.taxCategory,
      rate: formatPercent(line.ratePpm),
      taxable: money(line.taxableMinor),
      amount: money(line.amountMinor),
    })),
    pricesIncludeTax: priced.pricesIncludeTax,
    total: money(priced.totalMinor),
  };
}

/** An order's price as it was at placement, from what the order kept. */
export function costOfOrder(
  order: OrderRecord,
  discounts: readonly OrderDiscount[],
  taxLines: readonly OrderTaxLine[],
): CostView {
  const money = (minor: bigint) => toMoney(minor, order.currency);
  return {
    subtotal: money(order.subtotalMinor),
    shipping: money(order.shippingMinor),
    shippingMethod:
      order.shippingMethodId && order.shippingMethodName
        ? {
            id: order.shippingMethodId,
            name: order.shippingMethodName,
            zoneName: "",
            price: money(order.shippingMinor),
          }
        : null,
    discounts: discounts.map((discount) => ({
      amount: money(discount.amountMinor),
      code: discount.code,
      promotion: discount.title,
      promotionId: discount.discountId,
      lines: (discount.lines as Array<{ position: number; amountMinor: string }>).map((line) => ({
        line: String(line.position),
        amount: money(BigInt(line.amountMinor)),
      })),
      shipping: money(discount.shippingMinor),
    })),
    discountTotal: money(order.discountMinor),
    tax: money(order.taxMinor),
    taxLines: taxLines.map((line) => ({
      line: line.position === null ? null : String(line.position),
      taxCategory: line.taxCategory,
      rate: formatPercent(BigInt(line.ratePpm)),
      taxable: money(line.taxableMinor),
      amount: money(line.amountMinor),
    })),
    pricesIncludeTax: order.pricesIncludeTax,
    total: money(order.totalMinor),
  };
}
