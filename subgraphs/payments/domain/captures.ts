import type { EventData } from "../../common/events/catalog";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import type { Logger } from "../../common/logger";
import { fromMoney, toMoney } from "../../common/money";
import { TransientProviderError, type CaptureResult, type PaymentProvider } from "../provider/paymentProvider";
import type { PaymentsDb, PaymentsTx } from "../store/database";
import {
  insertPayment,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  recordAttempt,
} from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import { refundRemainder } from "./refunds";
import { retryDelayMs } from "./retryDelay";

export interface CaptureDependencies {
  db: PaymentsDb;
  unitOfWork: UnitOfWork<PaymentsTx>;
  provider: PaymentProvider;
  retry: { baseMs: number; maxMs: number };
  wakeWorker: () => void;
  logger: Logger;
}

/** Opens the order's payment when its stock is reserved; the worker captures it at once. A repeated request changes nothing. */
export async function openPayment(
  tx: PaymentsTx,
  emit: Emit,
  request: EventData<"orders.payment.requested">,
  wakeWorker: () => void,
): Promise<void> {
  // Waits for a cancellation of the order under way, and makes one that comes meanwhile wait for
  // this payment to be committed, so that it closes the payment rather than missing it.
  await lockOrderPayments(tx, request.orderId);
  if (await tx.orderClosure.count({ where: { orderId: request.orderId } })) return;
  const created = await insertPayment(tx, {
    orderId: request.orderId,
    customerId: request.customerId,
    amountMinor: fromMoney(request.amount),
    currency: request.amount.currency,
    paymentToken: request.paymentToken,
    deadline: new Date(request.deadline),
  });
  if (created) emit.afterCommit(wakeWorker);
}

/**
 * One try at capturing a payment. Every try of one payment carries the same idempotency key, so
 * a provider that took the money but failed to answer gives the same capture back. A transient
 * failure is retried with backoff until the payment window closes.
 */
export async function attemptCapture(deps: CaptureDependencies, paymentId: string): Promise<void> {
  const payment = await deps.db.payment.findUnique({ where: { id: paymentId } });
  if (!payment || payment.status !== "PENDING" || payment.orderCancelled) return;
  const idempotencyKey = `capture:${payment.id}`;
  const amount = toMoney(payment.amountMinor, payment.currency);
  let outcome: CaptureResult | TransientProviderError;
  try {
    outcome = await deps.provider.capture({
      idempotencyKey,
      token: payment.paymentToken,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
    });
  } catch (error) {
    if (!(error instanceof TransientProviderError)) throw error;
    outcome = error;
  }
  await deps.unitOfWork(async (tx, emit) => {
    const current = await lockPayment(tx, paymentId);
    if (!current) return;
    if (current.status !== "PENDING") {
      // The payment was closed while the provider was capturing (the order was cancelled, or its
      // payment window closed): money it took anyway is recorded, then given back.
      if (isCaptured(outcome))
        await refundLateCapture(tx, emit, current, outcome.reference, idempotencyKey, deps.wakeWorker);
      return;
    }
    const attempts = current.attemptCount + 1;
    if (outcome instanceof TransientProviderError) {
      await recordAttempt(tx, {
        paymentId,
        kind: "CAPTURE",
        outcome: "TRANSIENT_ERROR",
        amountMinor: current.amountMinor,
        idempotencyKey,
        error: outcome.message,
      });
      const next = new Date(Date.now() + retryDelayMs(attempts, deps.retry));
      if (next < current.deadline && !current.orderCancelled) {
        await tx.payment.update({ where: { id: paymentId }, data: { attemptCount: attempts, nextAttemptAt: next } });
        return;
      }
      await tx.payment.update({
        where: { id: paymentId },
        data: { attemptCount: attempts, nextAttemptAt: null, status: "FAILED", failureReason: "provider_unreachable" },
      });
      emit("payments.payment.failed", {
        orderId: current.orderId,
        paymentId,
        outcome: "TIMED_OUT",
        failureReason: `the provider did not answer after ${attempts} attempts`,
      });
      return;
    }
    if (outcome.outcome === "declined") {
      await recordAttempt(tx, {
        paymentId,
        kind: "CAPTURE",
        outcome: "DECLINED",
        amountMinor: current.amountMinor,
        idempotencyKey,
        error: outcome.reason,
      });
      await tx.payment.update({
        where: { id: paymentId },
        data: { attemptCount: attempts, nextAttemptAt: null, status: "FAILED", failureReason: outcome.reason },
      });
      emit("payments.payment.failed", {
        orderId: current.orderId,
        paymentId,
        outcome: "DECLINED",
        failureReason: outcome.reason,
      });
      return;
    }
    await recordAttempt(tx, {
      paymentId,
      kind: "CAPTURE",
      outcome: "SUCCEEDED",
      amountMinor: current.amountMinor,
      idempotencyKey,
      providerReference: outcome.reference,
    });
    const captured = await tx.payment.update({
      where: { id: paymentId },
      data: { attemptCount: attempts, nextAttemptAt: null, status: "SUCCEEDED", captureReference: outcome.reference },
    });
    emit("payments.payment.captured", { orderId: current.orderId, paymentId, amount });
    // The order was cancelled while the capture was under way: give the money back.
    if (captured.orderCancelled)
      await refundRemainder(tx, emit, captured, "order cancelled before the payment was captured", deps.wakeWorker);
  });
}

function isCaptured(
  outcome: CaptureResult | TransientProviderError,
): outcome is Extract<CaptureResult, { outcome: "captured" }> {
  return !(outcome instanceof TransientProviderError) && outcome.outcome === "captured";
}

/**
 * A capture that succeeded at the provider after the payment was closed (FAILED: the order was
 * cancelled or timed out meanwhile). The capture is recorded like any other, then refunded in
 * full through the refund worker, which emits `payments.payment.refunded`: the payment ends
 * REFUNDED, as it does when an order is cancelled after its capture. `payments.payment.captured`
 * is emitted only once the order is known cancelled (orders then ignores it); otherwise the order
 * may still be waiting, and the capture must not confirm an order whose payment already failed.
 * A payment already captured (a repeated answer) changes nothing.
 */
export async function refundLateCapture(
  tx: PaymentsTx,
  emit: Emit,
  payment: PaymentRecord,
  reference: string,
  idempotencyKey: string,
  wakeWorker: () => void,
): Promise<void> {
  if (payment.status !== "FAILED" || payment.captureReference) return;
  await recordAttempt(tx, {
    paymentId: payment.id,
    kind: "CAPTURE",
    outcome: "SUCCEEDED",
    amountMinor: payment.amountMinor,
    idempotencyKey,
    providerReference: reference,
  });
  const captured = await tx.payment.update({
    where: { id: payment.id },
    data: {
      attemptCount: payment.attemptCount + 1,
      nextAttemptAt: null,
      status: "SUCCEEDED",
      failureReason: null,
      captureReference: reference,
    },
  });
  if (captured.orderCancelled)
    emit("payments.payment.captured", {
      orderId: captured.orderId,
      paymentId: captured.id,
      amount: toMoney(captured.amountMinor, captured.currency),
    });
  const why = captured.orderCancelled
    ? "order cancelled while the payment was being captured"
    : `payment closed (${payment.failureReason ?? "failed"}) while it was being captured`;
  await refundRemainder(tx, emit, captured, why, wakeWorker);
}

/**
 * The order was cancelled: stop capturing, and refund what was captured. An order cancelled
 * before its payment was even requested gets a closed payment, so a late request opens nothing.
 */
export async function closePaymentOfCancelledOrder(
  tx: PaymentsTx,
  emit: Emit,
  order: EventData<"orders.order.status_changed">,
  wakeWorker: () => void,
): Promise<void> {
  await lockOrderPayments(tx, order.orderId);
  const payment = await lockPaymentOfOrder(tx, order.orderId);
  if (!payment) {
    await tx.orderClosure.createMany({ data: [{ orderId: order.orderId }], skipDuplicates: true });
    return;
  }
  const cancelled = await tx.payment.update({ where: { id: payment.id }, data: { orderCancelled: true } });
  if (payment.status === "PENDING") {
    await tx.payment.update({
      where: { id: payment.id },
      data: { status: "FAILED", failureReason: "order_cancelled", nextAttemptAt: null },
    });
    emit("payments.payment.failed", {
      orderId: payment.orderId,
      paymentId: payment.id,
      outcome: "ABANDONED",
      failureReason: "the order was cancelled",
    });
    return;
  }
  await refundRemainder(tx, emit, cancelled, "order cancelled", wakeWorker);
}
