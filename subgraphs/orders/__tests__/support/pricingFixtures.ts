import type { Discount, PricingLine } from "../../domain/pricing/pricingTypes";

/** A cart line of the pricing tests: variant `v-<id>` of product `p-<id>`, 300 g, standard tax. */
export const pricingLine = (
  id: string | number,
  unit: bigint,
  quantity: number,
  extra: Partial<PricingLine> = {},
): PricingLine => ({
  lineId: String(id),
  variantId: `v-${id}`,
  productId: `p-${id}`,
  categoryIds: [],
  unitPriceMinor: unit,
  quantity,
  weightGrams: 300,
  taxCategory: "STANDARD",
  ...extra,
});

/** An active GBP discount with no conditions or limits but those given. */
export const pricingDiscount = (fields: Partial<Discount> & Pick<Discount, "id" | "kind">): Discount => ({
  title: fields.id,
  code: null,
  valuePpm: 0n,
  amountMinor: 0n,
  currency: "GBP",
  productIds: [],
  categoryIds: [],
  buyQuantity: 0,
  getQuantity: 0,
  minSubtotalMinor: 0n,
  startsAt: null,
  endsAt: null,
  active: true,
  usageLimit: null,
  timesUsed: 0,
  perCustomerLimit: null,
  customerUses: 0,
  combinable: true,
  ...fields,
});
