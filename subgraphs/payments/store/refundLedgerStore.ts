import { linesLeft, type LineAmount, type LineLeft } from "../domain/refundLedger";
import type { PaymentsReader, PaymentsTx } from "./database";
import type { RefundRecord } from "./records";

/** What each line of a payment has left to refund (read under the order's payment lock to act on it). */
export async function findLinesLeft(db: PaymentsReader, paymentId: string): Promise<LineLeft[]> {
  const [paid, refunded] = await Promise.all([
    db.paymentLine.findMany({ where: { paymentId }, orderBy: { lineId: "asc" } }),
    db.refundLine.findMany({ where: { refund: { paymentId, status: { not: "FAILED" } } } }),
  ]);
  // Line ids are order line ids (UUIDs), `shipping` and `order`: items first, then shipping.
  const ordered = [...paid].sort((a, b) => Number(a.lineId === "shipping") - Number(b.lineId === "shipping"));
  return linesLeft(ordered, refunded);
}

/** The ledger's lines of a new payment: what each order line pays of it. */
export async function insertPaymentLines(
  tx: PaymentsTx,
  paymentId: string,
  lines: ReadonlyArray<{ lineId: string; paidMinor: bigint }>,
): Promise<void> {
  await tx.paymentLine.createMany({ data: lines.map((line) => ({ paymentId, ...line })), skipDuplicates: true });
}

export function findRefundByRequestKey(db: PaymentsReader, paymentId: string, idempotencyKey: string) {
  return db.refund.findUnique({ where: { paymentId_idempotencyKey: { paymentId, idempotencyKey } } });
}

/**
 * A refund with its lines: due at once, or leased to the caller that makes it at once
 * (`leasedForMs`). An EXCHANGE_CREDIT is settled as it is written: no provider is asked.
 */
export function insertRefund(
  tx: PaymentsTx,
  refund: {
    paymentId: string;
    reason: string | null;
    idempotencyKey: string;
    requestHash: string;
    lines: readonly LineAmount[];
    kind?: "PROVIDER" | "EXCHANGE_CREDIT";
  },
  options: { leasedForMs?: number } = {},
): Promise<RefundRecord> {
  const { lines, kind = "PROVIDER", ...fields } = refund;
  const nextAttemptAt = options.leasedForMs ? new Date(Date.now() + options.leasedForMs) : undefined;
  return tx.refund.create({
    data: {
      ...fields,
      kind,
      amountMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0n),
      ...(kind === "EXCHANGE_CREDIT" ? { status: "SUCCEEDED" as const, nextAttemptAt: null } : {}),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
      lines: { create: lines.map((line) => ({ lineId: line.lineId, amountMinor: line.amountMinor })) },
    },
  });
}
