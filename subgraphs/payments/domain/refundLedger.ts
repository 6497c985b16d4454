/**
 * The refund ledger's arithmetic, in minor units: what each line of a payment may still give
 * back, and how a refund is spread over lines. Pure, so it is table- and property-tested.
 */
export interface LineLeft {
  lineId: string;
  /** What the line paid less what refunds not refused took from it; never negative. */
  leftMinor: bigint;
}

export interface LineAmount {
  lineId: string;
  amountMinor: bigint;
}

export const totalOf = (lines: ReadonlyArray<{ amountMinor: bigint }>) =>
  lines.reduce((sum, line) => sum + line.amountMinor, 0n);

export const totalLeft = (lines: readonly LineLeft[]) => lines.reduce((sum, line) => sum + line.leftMinor, 0n);

/** What is left of each line: paid less refunded, given every refund line not refused. */
export function linesLeft(
  paid: ReadonlyArray<{ lineId: string; paidMinor: bigint }>,
  refunded: ReadonlyArray<{ lineId: string; amountMinor: bigint }>,
): LineLeft[] {
  return paid.map((line) => {
    const taken = refunded
      .filter((each) => each.lineId === line.lineId)
      .reduce((sum, each) => sum + each.amountMinor, 0n);
    const left = line.paidMinor - taken;
    return { lineId: line.lineId, leftMinor: left > 0n ? left : 0n };
  });
}

/**
 * Spreads an amount over the lines in their order, each giving what it has left; null when the
 * lines together have less than the amount.
 */
export function spreadAmount(amountMinor: bigint, lines: readonly LineLeft[]): LineAmount[] | null {
  if (amountMinor > totalLeft(lines)) return null;
  let rest = amountMinor;
  const taken: LineAmount[] = [];
  for (const line of lines) {
    if (rest <= 0n) break;
    const take = line.leftMinor < rest ? line.leftMinor : rest;
    if (take > 0n) taken.push({ lineId: line.lineId, amountMinor: take });
    rest -= take;
  }
  return taken;
}

/**
 * A refund asked line by line (a return's), capped at what each line has left. Amounts for lines
 * the ledger does not hold (a payment opened before it knew lines holds one `order` line) are
 * spread over what the other lines have left after that, capped too.
 */
export function capToLines(requested: readonly LineAmount[], lines: readonly LineLeft[]): LineAmount[] {
  const left = new Map(lines.map((line) => [line.lineId, line.leftMinor]));
  const taken = new Map<string, bigint>();
  let pooled = 0n;
  for (const line of requested) {
    if (line.amountMinor <= 0n) continue;
    const has = left.get(line.lineId);
    if (has === undefined) {
      pooled += line.amountMinor;
      continue;
    }
    const take = has < line.amountMinor ? has : line.amountMinor;
    left.set(line.lineId, has - take);
    taken.set(line.lineId, (taken.get(line.lineId) ?? 0n) + take);
  }
  if (pooled > 0n) {
    const rest = lines.map((line) => ({ lineId: line.lineId, leftMinor: left.get(line.lineId) ?? 0n }));
    const available = totalLeft(rest);
    for (const part of spreadAmount(pooled < available ? pooled : available, rest) ?? [])
      taken.set(part.lineId, (taken.get(part.lineId) ?? 0n) + part.amountMinor);
  }
  return [...taken.entries()]
    .filter(([, amount]) => amount > 0n)
    .map(([lineId, amountMinor]) => ({ lineId, amountMinor }));
}
