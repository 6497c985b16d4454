import { linesLeft, type LedgerLine, type LineAmount, type LineLeft } from "../domain/refundLedger";
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

/** Each line of a payment with what it paid and what refunds not refused took from it (under the order's payment lock). */
export async function findLedgerLines(db: PaymentsReader, paymentId: string): Promise<LedgerLine[]> {
  const [paid, refunded] = await Promise.all([
    db.paymentLine.findMany({ where: { paymentId }, orderBy: { lineId: "asc" } }),
    db.refundLine.findMany({ where: { refund: { paymentId, status: { not: "FAILED" } } } }),
  ]);
  // Items first, then shipping, as `findLinesLeft` orders them.
  const ordered = [...paid].sort((a, b) => Number(a.lineId === "shipping") - Number(b.lineId === "shipping"));
  return ordered.map((line) => ({
    lineId: line.lineId,
    paidMinor: line.paidMinor,
    refundedMinor: refunded
      .filter((each) => each.lineId === line.lineId)
      .reduce((sum, each) => sum + each.amountMinor, 0n),
  }));
}

/** Restates what each line paid (an order edit moved it between lines); new lines are added. */
export async function restatePaymentLines(
  tx: PaymentsTx,
  paymentId: string,
  lines: ReadonlyArray<{ lineId: string; paidMinor: bigint }>,
): Promise<void> {
  for (const line of lines) {
    await tx.paymentLine.upsert({
      where: { paymentId_lineId: { paymentId, lineId: line.lineId } },
      create: { paymentId, lineId: line.lineId, paidMinor: line.paidMinor },
      update: { paidMinor: line.paidMinor },
    });
  }
}
