import type { CaptureDependencies } from "../domain/captures";
import { processDuePayments } from "../domain/paymentWorker";
import { ProviderRejectedError } from "../provider/paymentProvider";

/**
 * The worker's batch: one capture or refund that fails does not fail the others, and each failure
 * is logged on its own (a refused refund with what someone needs to give the money back).
 */
describe("processDuePayments", () => {
  it("settles every capture and refund of a batch, and logs each failure", async () => {
    const refunded: string[] = [];
    const attempts: unknown[] = [];
    const refundRow = (id: string) => ({
      id,
      status: "PENDING",
      amountMinor: 700n,
      attemptCount: 0,
      reason: "order cancelled",
      payment: {
        id: `payment-of-${id}`,
        orderId: `order-of-${id}`,
        currency: "USD",
        captureReference: "ch_0123456789abcdef",
      },
    });
    const tx = {
      // claimDuePayments, then claimDueRefunds.
      $queryRaw: (sql: TemplateStringsArray) =>
        sql.join("").includes("UPDATE payments") ? [{ id: "p1" }] : [{ id: "r-refused" }, { id: "r-ok" }],
      refund: { updateMany: async () => ({ count: 1 }) },
      paymentAttempt: { create: async ({ data }: { data: unknown }) => attempts.push(data) },
    };
    const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };
    const deps = {
      db: {
        payment: { findUnique: () => Promise.reject(new Error("connection reset")) },
        refund: {
          findUnique: async ({ where }: { where: { id: string } }) =>
            where.id === "r-ok" ? null : refundRow(where.id),
        },
      },
      unitOfWork: (work: (t: typeof tx, emit: unknown) => unknown) => Promise.resolve(work(tx, () => undefined)),
      provider: {
        capture: jest.fn(),
        refund: async ({ idempotencyKey }: { idempotencyKey: string }) => {
          refunded.push(idempotencyKey);
          throw new ProviderRejectedError("simulated provider: refund refused: expired_or_canceled_card");
        },
      },
      retry: { baseMs: 10, maxMs: 100 },
      wakeWorker: () => undefined,
      logger,
    } as unknown as CaptureDependencies;

    await expect(processDuePayments(deps)).resolves.toBe(false);

    expect(refunded).toEqual(["refund:r-refused"]);
    expect(attempts).toEqual([
      expect.objectContaining({
        paymentId: "payment-of-r-refused",
        kind: "REFUND",
        outcome: "DECLINED",
        amountMinor: 700n,
      }),
    ]);
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledWith(
      {
        refundId: "r-refused",
        paymentId: "payment-of-r-refused",
        orderId: "order-of-r-refused",
        amount: "7.00",
        currency: "USD",
        captureReference: "ch_0123456789abcdef",
        reason: "order cancelled",
        err: expect.stringMatching(/expired_or_canceled_card/),
      },
      expect.stringMatching(/refused a refund.*money is still captured/),
    );
    expect(logger.error).toHaveBeenCalledWith(
      { paymentId: "p1", err: "connection reset" },
      expect.stringMatching(/capture failed unexpectedly/),
    );
  });
});
