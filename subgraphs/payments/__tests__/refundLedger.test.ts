import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { DomainError } from "../../common/errors";
import { startServices, type TestServices } from "../../../test/support/testServices";
import { waitFor } from "../../../test/support/waitFor";
import type { PaymentsDependencies } from "../domain/dependencies";
import { capToLines, spreadAmount, totalLeft, type LineLeft } from "../domain/refundLedger";
import { refundOrder, refundReturn } from "../domain/refunds";
import type { PaymentsEnvironment } from "../environment";
import { configuredProviders } from "../provider/configuredProviders";
import { insertPaymentLines } from "../store/refundLedgerStore";

describe("the refund ledger's arithmetic", () => {
  const lines: LineLeft[] = [
    { lineId: "a", leftMinor: 1000n },
    { lineId: "b", leftMinor: 250n },
    { lineId: "shipping", leftMinor: 500n },
  ];

  it.each([
    [0n, []],
    [700n, [{ lineId: "a", amountMinor: 700n }]],
    [
      1100n,
      [
        { lineId: "a", amountMinor: 1000n },
        { lineId: "b", amountMinor: 100n },
      ],
    ],
    [
      1750n,
      [
        { lineId: "a", amountMinor: 1000n },
        { lineId: "b", amountMinor: 250n },
        { lineId: "shipping", amountMinor: 500n },
      ],
    ],
  ])("spreads %s over the lines in order", (amount, expected) => {
    expect(spreadAmount(amount, lines)).toEqual(expected);
  });

  it("refuses to spread more than the lines have left", () => {
    expect(spreadAmount(1751n, lines)).toBeNull();
  });

  it("caps a refund asked line by line at what each line has left, and spreads lines it does not hold", () => {
    expect(
      capToLines(
        [
          { lineId: "a", amountMinor: 1200n },
          { lineId: "b", amountMinor: 100n },
        ],
        lines,
      ),
    ).toEqual([
      { lineId: "a", amountMinor: 1000n },
      { lineId: "b", amountMinor: 100n },
    ]);
    expect(capToLines([{ lineId: "unknown", amountMinor: 5000n }], [{ lineId: "order", leftMinor: 900n }])).toEqual([
      { lineId: "order", amountMinor: 900n },
    ]);
  });

  it("never takes more than a line, or all lines, have left", () => {
    const line = fc.record({ lineId: fc.constantFrom("a", "b", "c", "shipping"), leftMinor: fc.bigInt(0n, 10_000n) });
    fc.assert(
      fc.property(
        fc.uniqueArray(line, { selector: (each) => each.lineId, minLength: 1 }),
        fc.array(fc.record({ lineId: fc.constantFrom("a", "b", "c", "x"), amountMinor: fc.bigInt(0n, 20_000n) })),
        fc.bigInt(0n, 50_000n),
        (left, asked, amount) => {
          const capped = capToLines(asked, left);
          const spread = spreadAmount(amount, left);
          for (const taken of [capped, spread ?? []]) {
            for (const part of taken) {
              const has = left.find((each) => each.lineId === part.lineId)!.leftMinor;
              const all = taken
                .filter((each) => each.lineId === part.lineId)
                .reduce((sum, each) => sum + each.amountMinor, 0n);
              expect(all <= has && part.amountMinor > 0n).toBe(true);
            }
          }
          expect(spread === null).toBe(amount > totalLeft(left));
          if (spread) expect(spread.reduce((sum, each) => sum + each.amountMinor, 0n)).toBe(amount);
        },
      ),
    );
  });
});

/**
 * Against the real database and the payments service's own worker: back-office refunds and
 * returns' refunds asked at once, in any mix and with repeated keys, never refund more than any
 * line paid, nor more than was captured, and each key pays out at most once.
 */
describe("refunds under any interleaving of returns and back-office refunds", () => {
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

  /** A captured payment of three lines (two items and shipping). */
  async function capturedPayment(paid: readonly bigint[]) {
    const db = services.payments.runtime.db;
    const orderId = randomUUID();
    const lineIds = [randomUUID(), randomUUID(), "shipping"];
    const payment = await db.payment.create({
      data: {
        orderId,
        customerId: randomUUID(),
        amountMinor: paid.reduce((sum, each) => sum + each, 0n),
        status: "SUCCEEDED",
        captureReference: `ch_${randomBytes(8).toString("hex")}`,
        nextAttemptAt: null,
      },
    });
    await insertPaymentLines(
      db,
      payment.id,
      paid.map((paidMinor, index) => ({ lineId: lineIds[index]!, paidMinor })),
    );
    return { payment, lineIds };
  }

  const request = fc.oneof(
    fc.record({
      kind: fc.constant("refund" as const),
      amount: fc.integer({ min: 1, max: 9_000 }),
      key: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({
      kind: fc.constant("return" as const),
      amounts: fc.tuple(
        fc.integer({ min: 0, max: 4_000 }),
        fc.integer({ min: 0, max: 4_000 }),
        fc.integer({ min: 0, max: 800 }),
      ),
      key: fc.integer({ min: 0, max: 3 }),
    }),
  );

  it("never refunds more than was captured, nor more than a line paid, and pays each key once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          fc.integer({ min: 1, max: 3_000 }),
          fc.integer({ min: 1, max: 3_000 }),
          fc.integer({ min: 0, max: 500 }),
        ),
        fc.array(request, { minLength: 1, maxLength: 8 }),
        async (paidNumbers, requests) => {
          const paid = paidNumbers.map(BigInt);
          const { payment, lineIds } = await capturedPayment(paid);
          const cents = (value: number) => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, "0")}`;
          // Every request at once, as concurrent clients and events would send them.
          await Promise.all(
            requests.map(async (each) => {
              try {
                if (each.kind === "refund") {
                  await refundOrder(deps(), {
                    orderId: payment.orderId,
                    amount: cents(each.amount),
                    idempotencyKey: `key-${each.key}`,
                  });
                } else {
                  await services.payments.runtime.unitOfWork((tx, emit) =>
                    refundReturn(tx, emit, {
                      orderId: payment.orderId,
                      idempotencyKey: `return:${each.key}`,
                      lines: each.amounts.map((amount, index) => ({
                        lineId: lineIds[index]!,
                        amountMinor: BigInt(amount),
                      })),
                      reason: "returned",
                    }),
                  );
                }
              } catch (error) {
                // Refused requests (more than is left, a key reused for another ask) change nothing.
                if (!(error instanceof DomainError)) throw error;
                expect(["BAD_USER_INPUT", "CONFLICT"]).toContain(error.code);
              }
            }),
          );
          const db = services.payments.runtime.db;
          // The service's worker makes the refunds the returns asked for.
          const refunds = await waitFor(async () => {
            const rows = await db.refund.findMany({ where: { paymentId: payment.id }, include: { lines: true } });
            return rows.every((row) => row.status !== "PENDING") ? rows : undefined;
          }, "every refund made");
          const captured = paid.reduce((sum, each) => sum + each, 0n);
          const made = refunds.filter((row) => row.status === "SUCCEEDED");
          const refunded = made.reduce((sum, row) => sum + row.amountMinor, 0n);
          expect(refunded <= captured).toBe(true);
          expect((await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedMinor).toBe(refunded);
          lineIds.forEach((lineId, index) => {
            const taken = made
              .flatMap((row) => row.lines)
              .filter((line) => line.lineId === lineId)
              .reduce((sum, line) => sum + line.amountMinor, 0n);
            expect(taken <= paid[index]!).toBe(true);
          });
          // The provider paid out once per refund, and never more than it captured.
          const payouts = services.payments.provider.log.filter(
            (entry) =>
              entry.kind === "refund" &&
              entry.captureReference === payment.captureReference &&
              entry.result === "refunded",
          );
          expect(payouts).toHaveLength(made.length);
          expect(new Set(refunds.map((row) => row.idempotencyKey)).size).toBe(refunds.length);
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);
});
