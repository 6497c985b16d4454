import { backoffDelayMs } from "../../common/backoff";
import type { EventData } from "../../common/events/catalog";
import type { Emit } from "../../common/events/unitOfWork";
import { fromMoney } from "../../common/money";
import { TransientProviderError, type PaymentProvider, type PaymentState } from "../provider/paymentProvider";
import type { PaymentsTx } from "../store/database";
import {
  beginCapture,
  closeOrder,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  openPaymentRows,
  reconcileOpenAttemptsNow,
  settleAttempt,
} from "../store/paymentStore";
import { findSavedMethod } from "../store/savedMethodStore";
import type { PaymentRecord } from "../store/records";
import type { PaymentsDependencies } from "./dependencies";
import { captureKeyOf, settlePayment, tellCaptureOutcome } from "./paymentSettlement";
import { applyPaymentEvent, type PaymentEvent } from "./paymentTransitions";
import { refundRemainder } from "./refunds";
import { paymentSourceOf } from "./savedMethods";

/** The defaults a payment is opened with: which provider takes payments by token. */
export interface OpeningDefaults {
  defaultProvider: string;
}

/**
 * Opens the order's payment when its stock is reserved; the worker captures it at once. A
 * payment with a saved card goes to the provider the card was saved with. A repeated request
 * changes nothing.
 */
export async function openPayment(
  tx: PaymentsTx,
  emit: Emit,
  request: EventData<"orders.payment.requested">,
  defaults: OpeningDefaults,
): Promise<void> {
  // Waits for a cancellation of the order under way, and makes one that comes meanwhile wait for
  // this payment to be committed, so that it closes the payment rather than missing it.
  await lockOrderPayments(tx, request.orderId);
  const paymentMethodId = request.paymentMethodId ?? null;
  const method = paymentMethodId ? await findSavedMethod(tx, paymentMethodId) : null;
  // The refund ledger: what each order line pays, or (older requests) the whole as one line.
  const given = (request.lines ?? []).map((line) => ({ lineId: line.lineId, paidMinor: fromMoney(line.amount) }));
  // The lines must add up to what is charged, or refunds could exceed the capture: else one line.
  const lines =
    given.length > 0 && given.reduce((sum, line) => sum + line.paidMinor, 0n) === fromMoney(request.amount)
      ? given
      : [{ lineId: "order", paidMinor: fromMoney(request.amount) }];
  // The payment and its ledger in one statement, unless the order was closed or has its payment.
  const created = await openPaymentRows(
    tx,
    {
      orderId: request.orderId,
      customerId: request.customerId,
      amountMinor: fromMoney(request.amount),
      currency: request.amount.currency,
      paymentToken: request.paymentToken ?? "",
      paymentMethodId,
      provider: method?.provider ?? defaults.defaultProvider,
      deadline: new Date(request.deadline),
    },
    lines,
  );
  if (!created) return;
  emit.wake("payment-attempts");
}

/**
 * A transient failure: try again with backoff while the provider's window allows, else give up.
 * The window is the shorter of the payment's own (the order's payment window) and
 * `unreachableWindowMs` from when the payment opened, so a provider that is down does not hold
 * the order's stock for the whole payment window.
 */
function transientEvent(payment: PaymentRecord, unreachableWindowMs: number, retry: PaymentsDependencies["retry"]) {
  const retryAt = new Date(Date.now() + backoffDelayMs(payment.attemptCount + 1, retry));
  const givesUpAt = Math.min(payment.deadline.getTime(), payment.createdAt.getTime() + unreachableWindowMs);
  return retryAt.getTime() < givesUpAt
    ? ({ type: "CAPTURE_FAILED_TRANSIENTLY", retryAt } as const)
    : ({ type: "CAPTURE_TIMED_OUT" } as const);
}

/**
 * One try at capturing a payment. Every try of one payment carries the same idempotency key, so
 * a provider that took the money but failed to answer gives the same capture back. The call is
 * recorded before it is made (UNKNOWN), so one whose answer never gets recorded (the process
 * died, the commit failed) is found and settled by reconciliation. A transient failure is
 * retried with backoff while the provider's window allows.
 */
export async function attemptCapture(deps: PaymentsDependencies, paymentId: string): Promise<void> {
  const idempotencyKey = captureKeyOf(paymentId);
  // The payment, if it still waits, and the record of the call, in one statement.
  const begun = await beginCapture(deps.db, paymentId, {
    idempotencyKey,
    reconcileAt: new Date(Date.now() + deps.reconcileAfterMs),
  });
  if (!begun) return;
  const { payment } = begun;
  const attempt = { id: begun.attemptId };
  const provider: PaymentProvider = deps.providers.get(payment.provider);
  const source = await paymentSourceOf(deps.db, payment);
  let answer: PaymentState | TransientProviderError;
  if (!source) {
    answer = {
      status: "declined",
      reference: null,
      reason: "payment_method_unavailable",
      detail: "no such saved method",
    };
  } else {
    try {
      answer = await provider.capture({
        idempotencyKey,
        source,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        metadata: { orderId: payment.orderId, paymentId: payment.id },
      });
    } catch (error) {
      if (!(error instanceof TransientProviderError)) throw error;
      answer = error;
    }
  }
  await deps.unitOfWork(async (tx, emit) => {
    const current = await lockPayment(tx, paymentId);
    if (!current) return;
    if (!(answer instanceof TransientProviderError)) {
      await settlePayment(tx, emit, current, answer, {
        attemptId: attempt.id,
        tried: true,
        reconcileAfterMs: deps.reconcileAfterMs,
      });
      return;
    }
    await settleAttempt(tx, attempt.id, { outcome: "TRANSIENT_ERROR", error: answer.message });
    // Closed while the provider was failing (the order cancelled, its window closed): nothing more to try.
    const event: PaymentEvent = transientEvent(current, deps.unreachableWindowMs, deps.retry);
    const applied = await applyPaymentEvent(tx, current, event);
    if (applied) await tellCaptureOutcome(tx, emit, current, event, applied);
  });
}

/**
 * The order was cancelled: stop capturing, refund what was captured, and void a payment still
 * waiting for the customer at the provider. An order cancelled before its payment was even
 * requested gets a closed payment, so a late request opens nothing.
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
  if (applied?.decision.voidAtProvider && (await reconcileOpenAttemptsNow(tx, captureKeyOf(payment.id))) > 0)
    emit.wake("payment-attempts");
}
