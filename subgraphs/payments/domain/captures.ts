import type { EventData } from "../../common/events/catalog";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import { fromMoney, toMoney } from "../../common/money";
import { TransientProviderError, type PaymentProvider } from "../provider/paymentProvider";
import type { PaymentsDb, PaymentsTx } from "../store/database";
import { insertPayment, lockPayment, lockPaymentOfOrder, recordAttempt } from "../store/paymentStore";
import { refundRemainder } from "./refunds";
import { retryDelayMs } from "./retryDelay";

export interface CaptureDependencies {
  db: PaymentsDb;
  unitOfWork: UnitOfWork<PaymentsTx>;
  provider: PaymentProvider;
  retry: { baseMs: number; maxMs: number };
  wakeWorker: () => void;
}

/** Opens the order's payment when its stock is reserved; the worker captures it at once. A repeated request changes nothing. */
export async function openPayment(tx: PaymentsTx, emit: Emit, request: EventData<"orders.payment.requested">, wakeWorker: () => void): Promise<void> {
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
  let outcome: Awaited<ReturnType<PaymentProvider["capture"]>> | TransientProviderError;
  try {
    outcome = await deps.provider.capture({ idempotencyKey, token: payment.paymentToken, amountMinor: payment.amountMinor, currency: payment.currency });
  } catch (error) {
    if (!(error instanceof TransientProviderError)) throw error;
    outcome = error;
  }
  await deps.unitOfWork(async (tx, emit) => {
    const current = await lockPayment(tx, paymentId);
    if (!current || current.status !== "PENDING") return;
    const attempts = current.attemptCount + 1;
    if (outcome instanceof TransientProviderError) {
      await recordAttempt(tx, { paymentId, kind: "CAPTURE", outcome: "TRANSIENT_ERROR", amountMinor: current.amountMinor, idempotencyKey, error: outcome.message });
      const next = new Date(Date.now() + retryDelayMs(attempts, deps.retry));
      if (next < current.deadline && !current.orderCancelled) {
        await tx.payment.update({ where: { id: paymentId }, data: { attemptCount: attempts, nextAttemptAt: next } });
        return;
      }
      await tx.payment.update({ where: { id: paymentId }, data: { attemptCount: attempts, nextAttemptAt: null, status: "FAILED", failureReason: "provider_unreachable" } });
      emit("payments.payment.failed", { orderId: current.orderId, paymentId, outcome: "TIMED_OUT", failureReason: `the provider did not answer after ${attempts} attempts` });
      return;
    }
    if (outcome.outcome === "declined") {
      await recordAttempt(tx, { paymentId, kind: "CAPTURE", outcome: "DECLINED", amountMinor: current.amountMinor, idempotencyKey, error: outcome.reason });
      await tx.payment.update({ where: { id: paymentId }, data: { attemptCount: attempts, nextAttemptAt: null, status: "FAILED", failureReason: outcome.reason } });
      emit("payments.payment.failed", { orderId: current.orderId, paymentId, outcome: "DECLINED", failureReason: outcome.reason });
      return;
    }
    await recordAttempt(tx, { paymentId, kind: "CAPTURE", outcome: "SUCCEEDED", amountMinor: current.amountMinor, idempotencyKey, providerReference: outcome.reference });
    const captured = await tx.payment.update({
      where: { id: paymentId },
      data: { attemptCount: attempts, nextAttemptAt: null, status: "SUCCEEDED", captureReference: outcome.reference },
    });
    emit("payments.payment.captured", { orderId: current.orderId, paymentId, amount });
    // The order was cancelled while the capture was under way: give the money back.
    if (captured.orderCancelled) await refundRemainder(tx, emit, captured, "order cancelled before the payment was captured", deps.wakeWorker);
  });
}

/**
 * The order was cancelled: stop capturing, and refund what was captured. An order cancelled
 * before its payment was even requested gets a closed payment, so a late request opens nothing.
 */
export async function closePaymentOfCancelledOrder(tx: PaymentsTx, emit: Emit, order: EventData<"orders.order.status_changed">, wakeWorker: () => void): Promise<void> {
  const payment = await lockPaymentOfOrder(tx, order.orderId);
  if (!payment) {
    await tx.orderClosure.createMany({ data: [{ orderId: order.orderId }], skipDuplicates: true });
    return;
  }
  const cancelled = await tx.payment.update({ where: { id: payment.id }, data: { orderCancelled: true } });
  if (payment.status === "PENDING") {
    await tx.payment.update({ where: { id: payment.id }, data: { status: "FAILED", failureReason: "order_cancelled", nextAttemptAt: null } });
    emit("payments.payment.failed", { orderId: payment.orderId, paymentId: payment.id, outcome: "ABANDONED", failureReason: "the order was cancelled" });
    return;
  }
  await refundRemainder(tx, emit, cancelled, "order cancelled", wakeWorker);
}
