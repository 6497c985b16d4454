import fc from "fast-check";
import {
  capToLines,
  linesLeft,
  reallocateForEdit,
  spreadAmount,
  totalLeft,
  type LineAmount,
} from "../domain/refundLedger";

const lineIds = ["a", "b", "c", "shipping"] as const;
const sum = (values: readonly bigint[]) => values.reduce((total, each) => total + each, 0n);

/** A payment's ledger as the store keeps it: what each line paid, and every refund line made. */
class Ledger {
  paid = new Map<string, bigint>();
  refunds: LineAmount[] = [];
  constructor(readonly captured: readonly bigint[]) {
    captured.forEach((paid, index) => this.paid.set(lineIds[index]!, paid));
  }
  left() {
    return linesLeft(
      [...this.paid].map(([lineId, paidMinor]) => ({ lineId, paidMinor })),
      this.refunds,
    );
  }
  refunded(lineId?: string) {
    return sum(this.refunds.filter((each) => !lineId || each.lineId === lineId).map((each) => each.amountMinor));
  }
}

const split = (total: bigint, weights: readonly number[]): LineAmount[] => {
  const all = weights.reduce((a, b) => a + b, 0);
  if (all === 0) return weights.map((_, index) => ({ lineId: lineIds[index]!, amountMinor: index === 0 ? total : 0n }));
  let rest = total;
  return weights.map((weight, index) => {
    const part = index === weights.length - 1 ? rest : (total * BigInt(weight)) / BigInt(all);
    rest -= part;
    return { lineId: lineIds[index]!, amountMinor: part };
  });
};

const operation = fc.oneof(
  // An edit: the order now costs a share of what it cost, split over the lines anyhow (a
  // discount allocated again can make a line pay more than before).
  fc.record({
    kind: fc.constant("edit" as const),
    keep: fc.integer({ min: 0, max: 1000 }),
    weights: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 4, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant("return" as const),
    amounts: fc.array(fc.bigInt(0n, 4_000n), { minLength: 4, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant("refund" as const), amount: fc.bigInt(1n, 9_000n) }),
);

describe("order edits in the refund ledger", () => {
  it("moves what lines paid to the new allocation and refunds the difference from the lines that pay less", () => {
    const ledger = [
      { lineId: "a", paidMinor: 3600n, refundedMinor: 0n },
      { lineId: "b", paidMinor: 2400n, refundedMinor: 0n },
      { lineId: "shipping", paidMinor: 0n, refundedMinor: 0n },
    ];
    // Line b removed: a now carries the whole discount and pays 3000; shipping is no longer free (499).
    const result = reallocateForEdit(
      ledger,
      [
        { lineId: "a", amountMinor: 3000n },
        { lineId: "shipping", amountMinor: 499n },
      ],
      6000n - 3499n,
    );
    expect(sum(result.refund.map((each) => each.amountMinor))).toBe(2501n);
    expect(sum(result.paid.map((each) => each.paidMinor))).toBe(6000n);
    const refunded = new Map(result.refund.map((each) => [each.lineId, each.amountMinor]));
    const leftAfter = result.paid.map((each) => [each.lineId, each.paidMinor - (refunded.get(each.lineId) ?? 0n)]);
    expect(Object.fromEntries(leftAfter)).toEqual({ a: 3000n, b: 0n, shipping: 499n });
  });

  it("never refunds more than is left, when earlier refunds took part of it", () => {
    const result = reallocateForEdit(
      [
        { lineId: "a", paidMinor: 1000n, refundedMinor: 900n },
        { lineId: "b", paidMinor: 1000n, refundedMinor: 0n },
      ],
      [{ lineId: "b", amountMinor: 500n }],
      1500n,
    );
    expect(sum(result.refund.map((each) => each.amountMinor))).toBe(1100n);
  });

  it("under any interleaving of edits, returns and refunds, never refunds more than was captured", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt(0n, 5_000n), { minLength: 4, maxLength: 4 }),
        fc.array(operation, { minLength: 1, maxLength: 12 }),
        (captured, operations) => {
          const ledger = new Ledger(captured);
          const capturedTotal = sum(captured);
          let orderTotal = capturedTotal;
          for (const op of operations) {
            if (op.kind === "edit") {
              const newTotal = (orderTotal * BigInt(op.keep)) / 1000n;
              const newPaid = split(newTotal, op.weights);
              const leftBefore = totalLeft(ledger.left());
              const ledgerLines = [...ledger.paid].map(([lineId, paidMinor]) => ({
                lineId,
                paidMinor,
                refundedMinor: ledger.refunded(lineId),
              }));
              const { paid, refund } = reallocateForEdit(ledgerLines, newPaid, orderTotal - newTotal);
              for (const each of paid) ledger.paid.set(each.lineId, each.paidMinor);
              ledger.refunds.push(...refund);
              const expected = orderTotal - newTotal < leftBefore ? orderTotal - newTotal : leftBefore;
              expect(sum(refund.map((each) => each.amountMinor))).toBe(expected);
              // Each line has left at most what it now pays.
              const caps = new Map(newPaid.map((each) => [each.lineId, each.amountMinor]));
              for (const line of ledger.left()) expect(line.leftMinor <= (caps.get(line.lineId) ?? 0n)).toBe(true);
              orderTotal = newTotal;
            } else if (op.kind === "return") {
              const asked = op.amounts.map((amountMinor, index) => ({ lineId: lineIds[index]!, amountMinor }));
              ledger.refunds.push(...capToLines(asked, ledger.left()));
            } else {
              const spread = spreadAmount(op.amount, ledger.left());
              if (spread) ledger.refunds.push(...spread);
            }
            // The ledger's invariants, after every step.
            expect(ledger.refunded() <= capturedTotal).toBe(true);
            expect(sum([...ledger.paid.values()])).toBe(capturedTotal);
            for (const [lineId, paid] of ledger.paid) expect(ledger.refunded(lineId) <= paid).toBe(true);
            expect(totalLeft(ledger.left())).toBe(capturedTotal - ledger.refunded());
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
