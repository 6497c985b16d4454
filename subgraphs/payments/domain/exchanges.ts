import type { Emit } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import type { PaymentsTx } from "../store/database";
import { closeOrder, findPaymentsOfOrders, isOrderClosed, lockOrderPayments } from "../store/paymentStore";
import { findLinesLeft, insertPaymentLines, insertRefund } from "../store/refundLedgerStore";
import type { PaymentRecord } from "../store/records";
import { capToLines, spreadAmount, totalOf, type LineAmount } from "./refundLedger";
import { isRefundable, requestHashOf } from "./refundRequests";

/**
 * Exchanges in the payments ledger. A return's refund first pays its exchange order, without any
 * card being charged:
 *
 * - on the original payment, the credit is a refund of kind EXCHANGE_CREDIT, settled at once
 *   with no provider call: it takes from the returned lines what they have left, as any refund
 *   does, so nothing can be refunded twice; it counts in `exchangeCreditMinor`, not in
 *   `refundedMinor` (no money went back);
 * - the exchange order gets a SUCCEEDED payment of its total, `fundedByPaymentId` naming the
 *   original, with the exchange order's lines in its own ledger. It shares the original's provider
 *   and capture: the money is still that capture, so a later refund of the exchange order (a
 *   cancellation, a return of the replacement) goes back to the original card, and the provider
 *   never refunds more than it captured.
 *
 * Only what is left of the refund goes back to the card, under the return's own key.
 */

/** Why an exchange order's payment failed: its return's refund could not cover it. */
export const exchangeCreditShort = "exchange_credit_insufficient";

export interface ExchangeToPay {
  /** The return whose refund pays it. */
  returnId: string;
  orderId: string;
  number: string;
  amountMinor: bigint;
  lines: readonly LineAmount[];
  idempotencyKey: string;
}

/**
 * Pays an exchange order from a return's refund lines (the original payment locked by the caller,
 * under its order's payment lock). Returns what is left of the refund lines, to refund to the card;
 * null when the refund cannot cover the exchange (what the lines have left is less than its total,
 * say after a back-office refund), in which case the exchange order's payment fails, its order is
 * cancelled by the saga, and the whole refund goes to the card.
 */
export async function payExchange(
  tx: PaymentsTx,
  emit: Emit,
  original: PaymentRecord | null,
  refundLines: readonly LineAmount[],
  exchange: ExchangeToPay,
): Promise<LineAmount[] | null> {
  await lockOrderPayments(tx, exchange.orderId);
  const [already] = await findPaymentsOfOrders(tx, [exchange.orderId]);
  // Cancelled before its credit came (its payments closed), or paid already: nothing more to do.
  if (already || (await isOrderClosed(tx, exchange.orderId))) return null;
  const left = original && isRefundable(original) ? await findLinesLeft(tx, original.id) : [];
  const available = capToLines(refundLines, left);
  const credit =
    original && totalOf(available) >= exchange.amountMinor
      ? spreadAmount(
          exchange.amountMinor,
          available.map((line) => ({ lineId: line.lineId, leftMinor: line.amountMinor })),
        )
      : null;
  if (!original || !credit) {
    await failExchangePayment(tx, emit, original, exchange);
    return null;
  }
  await insertRefund(tx, {
    paymentId: original.id,
    reason: `exchange order ${exchange.number} paid by return ${exchange.returnId}`,
    idempotencyKey: exchange.idempotencyKey,
    requestHash: requestHashOf({ kind: "lines", lines: credit }),
    lines: credit,
    kind: "EXCHANGE_CREDIT",
  });
  await tx.payment.update({
    where: { id: original.id },
    data: { exchangeCreditMinor: { increment: exchange.amountMinor } },
  });
  const paid = await tx.payment.create({
    data: {
      orderId: exchange.orderId,
      customerId: original.customerId,
      status: "SUCCEEDED",
      amountMinor: exchange.amountMinor,
      currency: original.currency,
      provider: original.provider,
      captureReference: original.captureReference,
      fundedByPaymentId: original.id,
      deadline: new Date(),
      nextAttemptAt: null,
    },
  });
  const ledger = exchange.lines.map((line) => ({ lineId: line.lineId, paidMinor: line.amountMinor }));
  // The lines must add up to the total, or refunds of the exchange could exceed it: else one line.
  await insertPaymentLines(
    tx,
    paid.id,
    totalOf(exchange.lines) === exchange.amountMinor ? ledger : [{ lineId: "order", paidMinor: exchange.amountMinor }],
  );
  emit("payments.payment.captured", {
    orderId: exchange.orderId,
    paymentId: paid.id,
    amount: toMoney(exchange.amountMinor, original.currency),
  });
  emit("payments.exchange.paid", {
    orderId: original.orderId,
    paymentId: original.id,
    returnId: exchange.returnId,
    exchangeOrderId: exchange.orderId,
    exchangePaymentId: paid.id,
    amount: toMoney(exchange.amountMinor, original.currency),
  });
  const taken = new Map(credit.map((line) => [line.lineId, line.amountMinor]));
  return available
    .map((line) => ({ lineId: line.lineId, amountMinor: line.amountMinor - (taken.get(line.lineId) ?? 0n) }))
    .filter((line) => line.amountMinor > 0n);
}

/** The exchange order's payment fails (recorded, so the saga hears of it once), and its order is closed here. */
async function failExchangePayment(
  tx: PaymentsTx,
  emit: Emit,
  original: PaymentRecord | null,
  exchange: ExchangeToPay,
): Promise<void> {
  const failed = await tx.payment.create({
    data: {
      orderId: exchange.orderId,
      customerId: original?.customerId ?? exchange.orderId,
      status: "FAILED",
      amountMinor: exchange.amountMinor,
      currency: original?.currency ?? "USD",
      provider: original?.provider ?? "simulated",
      failureReason: exchangeCreditShort,
      fundedByPaymentId: original?.id ?? null,
      deadline: new Date(),
      nextAttemptAt: null,
    },
  });
  await closeOrder(tx, exchange.orderId);
  emit("payments.payment.failed", {
    orderId: exchange.orderId,
    paymentId: failed.id,
    outcome: "DECLINED",
    failureReason: exchangeCreditShort,
  });
}
