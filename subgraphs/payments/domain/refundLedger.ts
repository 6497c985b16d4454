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

/** A ledger line as an edit reallocates it: what it paid, and what refunds not refused took from it. */
export interface LedgerLine {
  lineId: string;
  paidMinor: bigint;
  refundedMinor: bigint;
}

export interface Reallocation {
  /** What each line is now said to have paid (every line of the ledger, and new ones the edit names). */
  paid: Array<{ lineId: string; paidMinor: bigint }>;
  /** The edit's refund, line by line (empty: nothing to refund). */
  refund: LineAmount[];
}

/**
 * An order edit in the ledger: the order now pays `newPaid` (by line, the lines it no longer has
 * pay nothing) and `refundMinor` of what was captured goes back. The refund is capped at what is
 * left; what is left after it is spread over the lines in their order, each holding at most what
 * it now pays, and each line's `paid` is restated so that paid − refunded is exactly what it has
 * left. So the ledger's total paid stays what was captured, no line is left more than it now
 * pays, and later returns and refunds (capped at what each line has left) can never give back
 * more than was captured. Pure.
 */
export function reallocateForEdit(
  ledger: readonly LedgerLine[],
  newPaid: readonly LineAmount[],
  refundMinor: bigint,
): Reallocation {
  const known = new Set(ledger.map((line) => line.lineId));
  const lines: LedgerLine[] = [
    ...ledger,
    ...newPaid
      .filter((line) => !known.has(line.lineId))
      .map((line) => ({ lineId: line.lineId, paidMinor: 0n, refundedMinor: 0n })),
  ];
  const leftNow = lines.map((line) => {
    const left = line.paidMinor - line.refundedMinor;
    return left > 0n ? left : 0n;
  });
  const totalNow = leftNow.reduce((sum, left) => sum + left, 0n);
  const refund = refundMinor <= 0n ? 0n : refundMinor < totalNow ? refundMinor : totalNow;
  // What stays refundable, line by line: up to what each line now pays, the rest (a ledger that
  // held less than the order's total) where it was.
  const caps = new Map(newPaid.map((line) => [line.lineId, line.amountMinor > 0n ? line.amountMinor : 0n]));
  let toPlace = totalNow - refund;
  const leftAfter = lines.map((line) => {
    const cap = caps.get(line.lineId) ?? 0n;
    const take = cap < toPlace ? cap : toPlace;
    toPlace -= take;
    return take;
  });
  for (let index = 0; toPlace > 0n && index < lines.length; index += 1) {
    const room = leftNow[index]! - leftAfter[index]!;
    if (room <= 0n) continue;
    const take = room < toPlace ? room : toPlace;
    leftAfter[index]! += take;
    toPlace -= take;
  }
  // The refund comes from the lines that hold less than before (their sum is at least `refund`).
  const parts =
    spreadAmount(
      refund,
      lines.map((line, index) => {
        const drop = leftNow[index]! - leftAfter[index]!;
        return { lineId: line.lineId, leftMinor: drop > 0n ? drop : 0n };
      }),
    ) ?? [];
  const refunded = new Map(parts.map((part) => [part.lineId, part.amountMinor]));
  return {
    paid: lines.map((line, index) => ({
      lineId: line.lineId,
      paidMinor:
        leftAfter[index]! + (line.refundedMinor > 0n ? line.refundedMinor : 0n) + (refunded.get(line.lineId) ?? 0n),
    })),
    refund: parts,
  };
}
