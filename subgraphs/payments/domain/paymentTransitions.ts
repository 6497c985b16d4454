import type { PaymentsTx } from "../store/database";
import { savePayment, type PaymentChange } from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import { decide, type Decision, type PaymentEventType } from "./paymentStateMachine";

/** An event with what it carries: the provider's answer, the refund made. */
export type PaymentEvent =
  | { type: "CAPTURE_SUCCEEDED"; reference: string }
  | { type: "CAPTURE_DECLINED"; reason: string }
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

/** The fields an event sets besides the status. */
function changeOf(payment: PaymentRecord, event: PaymentEvent, decision: AppliedEvent["decision"]): PaymentChange {
  const tried = { attemptCount: payment.attemptCount + 1 };
  switch (event.type) {
    case "CAPTURE_SUCCEEDED":
      return { ...tried, nextAttemptAt: null, captureReference: event.reference, failureReason: null };
    case "CAPTURE_DECLINED":
      return { ...tried, nextAttemptAt: null, failureReason: event.reason };
    case "CAPTURE_FAILED_TRANSIENTLY":
      return { ...tried, nextAttemptAt: event.retryAt };
    case "CAPTURE_TIMED_OUT":
      return { ...tried, nextAttemptAt: null, failureReason: "provider_unreachable" };
    case "ORDER_CANCELLED":
      return {
        orderCancelled: true,
        ...(decision.kind === "transition" ? { failureReason: "order_cancelled", nextAttemptAt: null } : {}),
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
  const decision = decide(payment.status, typeOf(payment, event));
  if (decision.kind === "ignore") return null;
  const change = changeOf(payment, event, decision);
  const saved = await savePayment(tx, payment.id, {
    ...change,
    ...(decision.kind === "transition" ? { status: decision.to } : {}),
  });
  return { decision, payment: saved };
}
