import { backoffDelayMs, type BackoffSettings } from "../../common/backoff";
import type { EventData } from "../../common/events/catalog";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import type { Logger } from "../../common/logger";
import { fromMoney, toMoney } from "../../common/money";
import { TransientProviderError, type CaptureResult, type PaymentProvider } from "../provider/paymentProvider";
import type { PaymentsDb, PaymentsTx } from "../store/database";
import {
  closeOrder,
  findPayment,
  insertPayment,
  isOrderClosed,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  recordAttempt,
} from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import { applyPaymentEvent, type AppliedEvent, type PaymentEvent } from "./paymentTransitions";
import { refundRemainder } from "./refunds";

export interface CaptureDependencies {
  db: PaymentsDb;
  unitOfWork: UnitOfWork<PaymentsTx>;
  provider: PaymentProvider;
  retry: BackoffSettings;
  logger: Logger;
}

type CaptureOutcome = CaptureResult | TransientProviderError;

/** Opens the order's payment when its stock is reserved; the worker captures it at once. A repeated request changes nothing. */
export async function openPayment(
  tx: PaymentsTx,
  emit: Emit,
  request: EventData<"orders.payment.requested">,
): Promise<void> {
  // Waits for a cancellation of the order under way, and makes one that comes meanwhile wait for
  // this payment to be committed, so that it closes the payment rather than missing it.
  await lockOrderPayments(tx, request.orderId);
  if (await isOrderClosed(tx, request.orderId)) return;
  const created = await insertPayment(tx, {
    orderId: request.orderId,
    customerId: request.customerId,
    amountMinor: fromMoney(request.amount),
    currency: request.amount.currency,
    paymentToken: request.paymentToken,
    deadline: new Date(request.deadline),
  });
  if (created) emit.wake("payment-attempts");
}

/** The provider's answer as an event of the payment; a transient failure retries until the payment window closes. */
function captureEvent(
  payment: PaymentRecord,
  outcome: CaptureOutcome,
  retry: CaptureDependencies["retry"],
): PaymentEvent {
  if (outcome instanceof TransientProviderError) {
    const retryAt = new Date(Date.now() + backoffDelayMs(payment.attemptCount + 1, retry));
    return retryAt < payment.deadline ? { type: "CAPTURE_FAILED_TRANSIENTLY", retryAt } : { type: "CAPTURE_TIMED_OUT" };
  }
  return outcome.outcome === "captured"
    ? { type: "CAPTURE_SUCCEEDED", reference: outcome.reference }
    : { type: "CAPTURE_DECLINED", reason: outcome.reason };
}

/**
 * One try at capturing a payment. Every try of one payment carries the same idempotency key, so
 * a provider that took the money but failed to answer gives the same capture back. A transient
 * failure is retried with backoff until the payment window closes.
 */
export async function attemptCapture(deps: CaptureDependencies, paymentId: string): Promise<void> {
  const payment = await findPayment(deps.db, paymentId);
  if (!payment || payment.status !== "PENDING") return;
  const idempotencyKey = `capture:${payment.id}`;
  let outcome: CaptureOutcome;
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
    const event = captureEvent(current, outcome, deps.retry);
    // Closed while the provider was capturing (the order cancelled, its window closed): only a
    // capture matters then, which the state machine takes back.
    const applied = await applyPaymentEvent(tx, current, event);
    if (!applied) return;
    await recordAttempt(tx, {
      paymentId,
      kind: "CAPTURE",
      amountMinor: current.amountMinor,
      idempotencyKey,
      ...(outcome instanceof TransientProviderError
        ? { outcome: "TRANSIENT_ERROR", error: outcome.message }
        : outcome.outcome === "declined"
          ? { outcome: "DECLINED", error: outcome.reason }
          : { outcome: "SUCCEEDED", providerReference: outcome.reference }),
    });
    await tellCaptureOutcome(tx, emit, current, event, applied);
  });
}

/** What the rest of the saga hears of a capture, and the refund of a capture that came too late. */
async function tellCaptureOutcome(
  tx: PaymentsTx,
  emit: Emit,
  before: PaymentRecord,
  event: PaymentEvent,
  { decision, payment }: AppliedEvent,
): Promise<void> {
  const { orderId, id: paymentId } = payment;
  switch (event.type) {
    case "CAPTURE_SUCCEEDED":
      // After a payment closed, the capture is told only once the order is known cancelled
      // (orders then ignores it): otherwise the order may still be waiting, and must not be
      // confirmed by the capture of a payment that already failed.
      if (!decision.refund || payment.orderCancelled)
        emit("payments.payment.captured", {
          orderId,
          paymentId,
          amount: toMoney(payment.amountMinor, payment.currency),
        });
      if (decision.refund) {
        const why = payment.orderCancelled
          ? "order cancelled while the payment was being captured"
          : `payment closed (${before.failureReason ?? "failed"}) while it was being captured`;
        await refundRemainder(tx, emit, payment, why);
      }
      return;
    case "CAPTURE_DECLINED":
      emit("payments.payment.failed", { orderId, paymentId, outcome: "DECLINED", failureReason: event.reason });
      return;
    case "CAPTURE_TIMED_OUT":
      emit("payments.payment.failed", {
        orderId,
        paymentId,
        outcome: "TIMED_OUT",
        failureReason: `the provider did not answer after ${payment.attemptCount} attempts`,
      });
      return;
    default:
      return;
  }
}

/**
 * The order was cancelled: stop capturing, and refund what was captured. An order cancelled
 * before its payment was even requested gets a closed payment, so a late request opens nothing.
 */
export async function closePaymentOfCancelledOrder(
  tx: PaymentsTx,
  emit: Emit,
  order: EventData<"orders.order.status_changed">,
): Promise<void> {
  await lockOrderPayments(tx, order.orderId);
  const payment = await lockPaymentOfOrder(tx, order.orderId);
  if (!payment) return closeOrder(tx, order.orderId);
  const applied = await applyPaymentEvent(tx, payment, { type: "ORDER_CANCELLED" });
  if (applied?.decision.kind === "transition") {
    emit("payments.payment.failed", {
      orderId: payment.orderId,
      paymentId: payment.id,
      outcome: "ABANDONED",
      failureReason: "the order was cancelled",
    });
  }
  if (applied?.decision.refund) await refundRemainder(tx, emit, applied.payment, "order cancelled");
}
