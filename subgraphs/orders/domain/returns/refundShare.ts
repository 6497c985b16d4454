/**
 * A line's share of what was paid for some of its units. Shares are taken cumulatively (what all
 * returns so far come to, less what the earlier ones came to), so however a line is returned in
 * parts, the parts add up to exactly what the line paid, never a cent more.
 */
export function returnedShare(paidMinor: bigint, ordered: number, returnedBefore: number, returning: number): bigint {
  if (ordered <= 0 || returning <= 0) return 0n;
  const upTo = (units: number) => (paidMinor * BigInt(Math.min(units, ordered))) / BigInt(ordered);
  return upTo(returnedBefore + returning) - upTo(returnedBefore);
}

/** What an order kept of its pricing, as far as what each line paid goes (see `OrderPricingRows`). */
export interface PricedAllocations {
  pricesIncludeTax: boolean;
  /** Each discount's part of each line, by the line's position (minor units as strings). */
  discounts: ReadonlyArray<{ lines: unknown }>;
  /** Tax lines; position null: the tax on shipping. */
  taxLines: ReadonlyArray<{ position: number | null; amountMinor: bigint }>;
}

/** An order without discounts or tax (every order placed before pricing existed). */
export const unpricedAllocations: PricedAllocations = { pricesIncludeTax: false, discounts: [], taxLines: [] };

/**
 * What one order line paid, as its order was priced: its unit price times its quantity, less
 * every discount's part of it, plus its tax when prices exclude tax (prices that include it hold
 * it already). The lines and what is left of shipping add up to exactly the order's total.
 */
export function linePaid(
  item: { position: number; unitPriceMinor: bigint; quantity: number },
  pricing: PricedAllocations = unpricedAllocations,
): bigint {
  let paid = item.unitPriceMinor * BigInt(item.quantity);
  for (const discount of pricing.discounts) {
    for (const part of (discount.lines as Array<{ position: number; amountMinor: string }> | null) ?? []) {
      if (part.position === item.position) paid -= BigInt(part.amountMinor);
    }
  }
  if (!pricing.pricesIncludeTax) {
    for (const tax of pricing.taxLines) if (tax.position === item.position) paid += tax.amountMinor;
  }
  return paid > 0n ? paid : 0n;
}

/**
 * What each line of an order pays of its total, for payments' refund ledger: the lines as priced
 * (after discounts, with tax), and the rest of the total (shipping, after its discounts, with its
 * tax) as the `shipping` line when there is any. Together never more than the total: were the
 * lines ever to exceed it, the last ones give up the difference.
 */
export function paidLines(
  order: { totalMinor: bigint },
  items: ReadonlyArray<{ id: string; position: number; unitPriceMinor: bigint; quantity: number }>,
  pricing: PricedAllocations = unpricedAllocations,
): Array<{ lineId: string; amountMinor: bigint }> {
  const lines = items.map((item) => ({ lineId: item.id, amountMinor: linePaid(item, pricing) }));
  let rest = order.totalMinor - lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  for (let index = lines.length - 1; rest < 0n && index >= 0; index -= 1) {
    const line = lines[index]!;
    const give = line.amountMinor < -rest ? line.amountMinor : -rest;
    line.amountMinor -= give;
    rest += give;
  }
  return rest > 0n ? [...lines, { lineId: "shipping", amountMinor: rest }] : lines;
}
