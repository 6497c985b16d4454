import type { Emit } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import type { PaymentState } from "../provider/paymentProvider";
import type { PaymentsTx } from "../store/database";
import {
  reconcileOpenAttemptsNow,
  settleAttempt,
  settleAttemptAndOpenAttempts,
  settleOpenAttempts,
  type AttemptSettlement,
} from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import { applyPaymentEvent, type AppliedEvent, type PaymentEvent } from "./paymentTransitions";
import { refundRemainder } from "./refunds";

/** The capture calls of a payment all carry this key: the provider takes its money once. */
export const captureKeyOf = (paymentId: string) => `capture:${paymentId}`;

/** Where the provider says a payment stands, as an event of the payment. */
export function eventOfState(state: PaymentState, tried: boolean): PaymentEvent {
  switch (state.status) {
    case "captured":
      return { type: "CAPTURE_SUCCEEDED", reference: state.reference, tried };
    case "declined":
      return { type: "CAPTURE_DECLINED", reason: state.reason, reference: state.reference, tried };
    case "canceled":
      return { type: "CAPTURE_DECLINED", reason: "payment_canceled", reference: state.reference, tried };
    case "requires_action":
      return { type: "CAPTURE_REQUIRES_ACTION", reference: state.reference, action: state.action, tried };
    case "processing":
      return { type: "CAPTURE_PROCESSING", reference: state.reference, tried };
  }
}

/**
 * What a call's record says of the provider's answer. An answer that is not final keeps the
 * call due for reconciliation: at once when the payment closed meanwhile (what waits at the
 * provider is then cancelled), else after `reconcileAfterMs`.
 */
export function settlementOf(state: PaymentState, voidNow: boolean, reconcileAfterMs: number): AttemptSettlement {
  const checkAgainAt = voidNow ? new Date() : new Date(Date.now() + reconcileAfterMs);
  switch (state.status) {
    case "captured":
      return { outcome: "SUCCEEDED", providerReference: state.reference };
    case "declined":
      return { outcome: "DECLINED", providerReference: state.reference, error: `${state.reason} (${state.detail})` };
    case "canceled":
      return { outcome: "DECLINED", providerReference: state.reference, error: "payment_canceled at the provider" };
    case "requires_action":
      return { outcome: "REQUIRES_ACTION", providerReference: state.reference, checkAgainAt };
    case "processing":
      return { outcome: "UNKNOWN", providerReference: state.reference, checkAgainAt };
  }
}

/** How the provider's answer reached this service. */
export interface AnswerSource {
  /** The record of the call this is the answer to (absent for a notification). */
  attemptId?: string;
  /** It is the answer to a call made now (it counts as an attempt of the payment). */
  tried: boolean;
  reconcileAfterMs: number;
}

/**
 * Settles a payment (locked by the caller) by where the provider says it stands, whoever learnt
 * it: the answer to a capture, a look-up by reconciliation, or the provider's notification.
 * The state machine decides; the calls made with the payment's key record the answer; the saga
 * hears the outcome; a capture of a closed payment is refunded and what still waits at the
 * provider for a closed payment is voided (by reconciliation, woken now). Returns whether the
 * event changed the payment.
 */
export async function settlePayment(
  tx: PaymentsTx,
  emit: Emit,
  payment: PaymentRecord,
  state: PaymentState,
  source: AnswerSource,
): Promise<boolean> {
  const event = eventOfState(state, source.tried);
  const applied = await applyPaymentEvent(tx, payment, event);
  const voidNow = applied?.decision.voidAtProvider === true;
  const settlement = settlementOf(state, voidNow, source.reconcileAfterMs);
  const key = captureKeyOf(payment.id);
  const final = settlement.outcome === "SUCCEEDED" || settlement.outcome === "DECLINED";
  // A final answer settles every call of this key, also one whose own answer was lost: with the
  // call's own record, in one statement.
  if (source.attemptId && final) await settleAttemptAndOpenAttempts(tx, source.attemptId, key, settlement);
  else if (source.attemptId) await settleAttempt(tx, source.attemptId, settlement);
  else if (final) await settleOpenAttempts(tx, key, settlement);
  else if (voidNow && !source.attemptId) await reconcileOpenAttemptsNow(tx, key);
  if (voidNow) emit.wake("payment-attempts");
  if (applied) await tellCaptureOutcome(tx, emit, payment, event, applied);
  return applied !== null;
}

/** What the rest of the saga hears of a capture, and the refund of a capture that came too late. */
export async function tellCaptureOutcome(
  tx: PaymentsTx,
  emit: Emit,
  before: PaymentRecord,
  event: PaymentEvent,
  { decision, payment }: AppliedEvent,
): Promise<void> {
  emitCaptureOutcome(emit, event, { decision, payment });
  if (event.type === "CAPTURE_SUCCEEDED" && decision.refund) {
    const why = payment.orderCancelled
      ? "order cancelled while the payment was being captured"
      : `payment closed (${before.failureReason ?? "failed"}) while it was being captured`;
    await refundRemainder(tx, emit, payment, why);
  }
}

/** The events of `tellCaptureOutcome`, without the refund of a capture that came too late. */
export function emitCaptureOutcome(emit: Emit, event: PaymentEvent, { decision, payment }: AppliedEvent): void {
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
      return;
    case "CAPTURE_DECLINED":
      if (decision.kind === "transition")
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
