import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { DomainError } from "../../common/errors";
import { startServices, type TestServices } from "../../../test/support/testServices";
import { waitFor } from "../../../test/support/waitFor";
import type { PaymentsDependencies } from "../domain/dependencies";
import { refundEdit, refundOrder, refundReturn } from "../domain/refunds";
import type { PaymentsEnvironment } from "../environment";
import { configuredProviders } from "../provider/configuredProviders";
import { insertPaymentLines } from "../store/refundLedgerStore";
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
      { numRuns: 500 },
    );
  });
});

/**
 * Against the real database and the payments service's own worker: order edits (some delivered
 * twice), returns' refunds and back-office refunds, all at once in any mix, never refund more
 * than was captured, keep the ledger's paid total at the capture, and pay each key once.
 */
describe("edits, returns and refunds at once, against the real database", () => {
  let services: TestServices<"payments">;

  beforeAll(async () => {
    services = await startServices(["payments"], { router: false });
  }, 300_000);

  afterAll(() => services?.cleanUp());

  const deps = (): PaymentsDependencies => {
    const { runtime } = services.payments;
    return {
      db: runtime.db,
      unitOfWork: runtime.unitOfWork,
      providers: configuredProviders(runtime.env as unknown as PaymentsEnvironment, services.payments.provider),
      retry: { baseMs: 50, maxMs: 100 },
      logger: runtime.logger,
      unreachableWindowMs: 60_000,
      reconcileAfterMs: 60_000,
    };
  };

  const cents = (value: bigint) => `${value / 100n}.${String(value % 100n).padStart(2, "0")}`;

  it("never refunds more than was captured, whatever arrives in whatever order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt(1n, 3_000n), { minLength: 4, maxLength: 4 }),
        fc.array(
          fc.record({
            keep: fc.integer({ min: 0, max: 1000 }),
            weights: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 4, maxLength: 4 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("refund" as const), amount: fc.bigInt(1n, 6_000n) }),
            fc.record({
              kind: fc.constant("return" as const),
              amounts: fc.array(fc.bigInt(0n, 3_000n), { minLength: 4, maxLength: 4 }),
            }),
          ),
          { maxLength: 4 },
        ),
        async (captured, editShapes, others) => {
          const db = services.payments.runtime.db;
          const orderId = randomUUID();
          const ids = [randomUUID(), randomUUID(), randomUUID(), "shipping"];
          const capturedTotal = sum(captured);
          const payment = await db.payment.create({
            data: {
              orderId,
              customerId: randomUUID(),
              amountMinor: capturedTotal,
              status: "SUCCEEDED",
              captureReference: `ch_${randomBytes(8).toString("hex")}`,
              nextAttemptAt: null,
            },
          });
          await insertPaymentLines(
            db,
            payment.id,
            captured.map((paidMinor, index) => ({ lineId: ids[index]!, paidMinor })),
          );
          // The order's edits, one after the other as orders makes them: each from the total the last left.
          let total = capturedTotal;
          const edits = editShapes.map((shape, index) => {
            const newTotal = (total * BigInt(shape.keep)) / 1000n;
            const newPaid = split(newTotal, shape.weights).map((line, at) => ({ ...line, lineId: ids[at]! }));
            const edit = { key: `edit:${index}`, amountMinor: total - newTotal, newPaid };
            total = newTotal;
            return edit;
          });
          const deliver = (edit: (typeof edits)[number]) =>
            services.payments.runtime.unitOfWork((tx, emit) =>
              refundEdit(tx, emit, {
                orderId,
                idempotencyKey: edit.key,
                amountMinor: edit.amountMinor,
                paidLines: edit.newPaid,
                reason: "edited",
              }),
            );
          await Promise.all([
            // Every edit, the first one twice (a redelivered event).
            ...edits.map(deliver),
            deliver(edits[0]!),
            ...others.map(async (each, index) => {
              try {
                if (each.kind === "refund")
                  await refundOrder(deps(), { orderId, amount: cents(each.amount), idempotencyKey: `key-${index}` });
                else
                  await services.payments.runtime.unitOfWork((tx, emit) =>
                    refundReturn(tx, emit, {
                      orderId,
                      idempotencyKey: `return:${index}`,
                      lines: each.amounts.map((amountMinor, at) => ({ lineId: ids[at]!, amountMinor })),
                      reason: "returned",
                    }),
                  );
              } catch (error) {
                if (!(error instanceof DomainError)) throw error;
                expect(["BAD_USER_INPUT", "CONFLICT"]).toContain(error.code);
              }
            }),
          ]);
          const refunds = await waitFor(async () => {
            const rows = await db.refund.findMany({ where: { paymentId: payment.id }, include: { lines: true } });
            return rows.every((row) => row.status !== "PENDING") ? rows : undefined;
          }, "every refund made");
          const made = refunds.filter((row) => row.status === "SUCCEEDED");
          const refunded = sum(made.map((row) => row.amountMinor));
          expect(refunded <= capturedTotal).toBe(true);
          expect((await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedMinor).toBe(refunded);
          const lines = await db.paymentLine.findMany({ where: { paymentId: payment.id } });
          expect(sum(lines.map((line) => line.paidMinor))).toBe(capturedTotal);
          for (const line of lines) {
            const taken = sum(
              made
                .flatMap((row) => row.lines)
                .filter((each) => each.lineId === line.lineId)
                .map((each) => each.amountMinor),
            );
            expect(taken <= line.paidMinor).toBe(true);
          }
          // Each edit's key refunded at most once.
          expect(refunds.filter((row) => row.idempotencyKey === "edit:0").length <= 1).toBe(true);
          const payouts = services.payments.provider.log.filter(
            (entry) =>
              entry.kind === "refund" &&
              entry.captureReference === payment.captureReference &&
              entry.result === "refunded",
          );
          expect(payouts).toHaveLength(made.length);
        },
      ),
      { numRuns: 10 },
    );
  }, 300_000);
});
