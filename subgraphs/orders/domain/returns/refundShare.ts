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

/**
 * What one order line paid: its unit price times its quantity. When checkout allocates discounts
 * and tax to lines, their allocated amount is what it paid.
 */
export function linePaid(item: { unitPriceMinor: bigint; quantity: number }): bigint {
  return item.unitPriceMinor * BigInt(item.quantity);
}

/**
 * What each line of an order pays of its total, for payments' refund ledger: the lines, and the
 * rest of the total (shipping) as the `shipping` line when there is any.
 */
export function paidLines(
  order: { totalMinor: bigint },
  items: ReadonlyArray<{ id: string; unitPriceMinor: bigint; quantity: number }>,
): Array<{ lineId: string; amountMinor: bigint }> {
  const lines = items.map((item) => ({ lineId: item.id, amountMinor: linePaid(item) }));
  const rest = order.totalMinor - lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  return rest > 0n ? [...lines, { lineId: "shipping", amountMinor: rest }] : lines;
}
