import type { NextAction } from "../provider/paymentProvider";
import type { PaymentsTx } from "../store/database";
import { savePayment, type PaymentChange } from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import { decide, type Decision, type PaymentEventType } from "./paymentStateMachine";

/**
 * An event with what it carries: the provider's answer, the refund made. `tried` marks the answer
 * to a call this service made (it counts as an attempt); the same fact from a notification or a
 * look-up does not.
 */
export type PaymentEvent =
  | { type: "CAPTURE_SUCCEEDED"; reference: string; tried?: boolean }
  | { type: "CAPTURE_DECLINED"; reason: string; reference?: string | null; tried?: boolean }
  | { type: "CAPTURE_REQUIRES_ACTION"; reference: string; action: NextAction; tried?: boolean }
  | { type: "CAPTURE_PROCESSING"; reference: string; tried?: boolean }
  | { type: "CAPTURE_FAILED_TRANSIENTLY"; retryAt: Date }
  | { type: "CAPTURE_TIMED_OUT" }
  | { type: "ORDER_CANCELLED" }
  /** A refund of `amountMinor` went through: in part or in full, as the total refunded says. */
  | { type: "REFUNDED"; amountMinor: bigint };

export interface AppliedEvent {
  decision: Exclude<Decision, { kind: "ignore" }>;
  /** The payment as it is now. */
  payment: PaymentRecord;
}

function typeOf(payment: PaymentRecord, event: PaymentEvent): PaymentEventType {
  if (event.type !== "REFUNDED") return event.type;
  return payment.refundedMinor + event.amountMinor >= payment.amountMinor ? "REFUNDED_IN_FULL" : "REFUNDED_IN_PART";
}

/** What the customer had to do: gone once the payment leaves REQUIRES_ACTION. */
const noAction = { nextActionType: null, nextActionSecret: null, nextActionUrl: null };

/** The fields an event sets besides the status. */
function changeOf(payment: PaymentRecord, event: PaymentEvent, decision: AppliedEvent["decision"]): PaymentChange {
  const tried = "tried" in event && event.tried ? { attemptCount: payment.attemptCount + 1 } : {};
  switch (event.type) {
    case "CAPTURE_SUCCEEDED":
      return { ...tried, ...noAction, nextAttemptAt: null, captureReference: event.reference, failureReason: null };
    case "CAPTURE_DECLINED":
      return {
        ...tried,
        ...noAction,
        nextAttemptAt: null,
        failureReason: event.reason,
        ...(event.reference ? { captureReference: event.reference } : {}),
      };
    case "CAPTURE_REQUIRES_ACTION": {
      const waiting = decision.kind === "transition" && decision.to === "REQUIRES_ACTION";
      return {
        ...tried,
        nextAttemptAt: null,
        captureReference: event.reference,
        ...(waiting
          ? {
              nextActionType: event.action.type,
              nextActionSecret: event.action.clientSecret,
              nextActionUrl: event.action.redirectUrl,
            }
          : {}),
      };
    }
    case "CAPTURE_PROCESSING":
      return { ...tried, nextAttemptAt: null, captureReference: event.reference };
    case "CAPTURE_FAILED_TRANSIENTLY":
      return { attemptCount: payment.attemptCount + 1, nextAttemptAt: event.retryAt };
    case "CAPTURE_TIMED_OUT":
      return { attemptCount: payment.attemptCount + 1, nextAttemptAt: null, failureReason: "provider_unreachable" };
    case "ORDER_CANCELLED":
      return {
        orderCancelled: true,
        ...(decision.kind === "transition"
          ? { ...noAction, failureReason: "order_cancelled", nextAttemptAt: null }
          : {}),
      };
    case "REFUNDED":
      return { refundedMinor: payment.refundedMinor + event.amountMinor };
  }
}

/**
 * Applies one event to a payment locked by the caller, as the state machine decides: the new
 * status and the fields that go with it, written by the payment store. Null when the event
 * changes nothing; the caller records attempts and emits events by the decision.
 */
export async function applyPaymentEvent(
  tx: PaymentsTx,
  payment: PaymentRecord,
  event: PaymentEvent,
): Promise<AppliedEvent | null> {
  const planned = planPaymentEvent(payment, event);
  if (!planned) return null;
  const saved = await savePayment(tx, payment.id, planned.change);
  return { decision: planned.decision, payment: saved };
}

/**
 * What an event does to a payment as it is, without writing it: the decision and the change
 * (the status with the fields that go with it). Null when the event changes nothing. For writes
 * of many payments at once, which apply it only to a payment still as it was.
 */
export function planPaymentEvent(
  payment: PaymentRecord,
  event: PaymentEvent,
): { decision: AppliedEvent["decision"]; change: PaymentChange } | null {
  const decision = decide(payment.status, typeOf(payment, event));
  if (decision.kind === "ignore") return null;
  const change = changeOf(payment, event, decision);
  return { decision, change: { ...change, ...(decision.kind === "transition" ? { status: decision.to } : {}) } };
}
