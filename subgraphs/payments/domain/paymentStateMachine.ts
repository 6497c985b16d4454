import { PaymentStatus as PaymentStatusColumn } from "../generated/prisma/client";

/**
 * A payment's life as an explicit state machine: one table of what each event does in each
 * status. Every status a payment takes is decided by `decide` and written by the payment store.
 * A new status (one waiting for the customer, say) is a new enum value in the Prisma schema, a
 * row here, and the events that lead into and out of it; `tsc` and the table's test ask for each.
 */
export const paymentStatuses = Object.values(PaymentStatusColumn);
export type PaymentStatus = PaymentStatusColumn;

/** What can happen to a payment: the provider's answers, the order's cancellation, refunds made. */
export const paymentEventTypes = [
  "CAPTURE_SUCCEEDED",
  "CAPTURE_DECLINED",
  /** The provider did not answer; the payment window allows another try. */
  "CAPTURE_FAILED_TRANSIENTLY",
  /** The provider did not answer, and the payment window closes before another try. */
  "CAPTURE_TIMED_OUT",
  "ORDER_CANCELLED",
  "REFUNDED_IN_PART",
  "REFUNDED_IN_FULL",
] as const;
export type PaymentEventType = (typeof paymentEventTypes)[number];

export type Decision =
  /** The payment moves to `to`; with `refund`, what it captured and has not given back is refunded. */
  | { kind: "transition"; to: PaymentStatus; refund?: true }
  /** The payment keeps its status and the event is recorded (a try to repeat, a cancellation to remember). */
  | { kind: "stay"; refund?: true }
  /** Nothing to do: the event is late, repeated, or overtaken. */
  | { kind: "ignore" };

const goTo = (to: PaymentStatus): Decision => ({ kind: "transition", to });
const stay: Decision = { kind: "stay" };
const keepAndRefund: Decision = { kind: "stay", refund: true };

const transitions: Record<PaymentStatus, Partial<Record<PaymentEventType, Decision>>> = {
  PENDING: {
    CAPTURE_SUCCEEDED: goTo("SUCCEEDED"),
    CAPTURE_DECLINED: goTo("FAILED"),
    CAPTURE_FAILED_TRANSIENTLY: stay,
    CAPTURE_TIMED_OUT: goTo("FAILED"),
    // Nothing is captured yet: the payment closes, and a capture under way is refunded when it lands.
    ORDER_CANCELLED: goTo("FAILED"),
  },
  SUCCEEDED: {
    ORDER_CANCELLED: keepAndRefund,
    REFUNDED_IN_PART: goTo("PARTIALLY_REFUNDED"),
    REFUNDED_IN_FULL: goTo("REFUNDED"),
  },
  PARTIALLY_REFUNDED: {
    ORDER_CANCELLED: keepAndRefund,
    REFUNDED_IN_PART: goTo("PARTIALLY_REFUNDED"),
    REFUNDED_IN_FULL: goTo("REFUNDED"),
  },
  FAILED: {
    // The provider captured after the payment was closed (the order cancelled, or its window
    // closed): the capture is recorded, then given back.
    CAPTURE_SUCCEEDED: { kind: "transition", to: "SUCCEEDED", refund: true },
    // Remembered, so that a capture landing later is told to orders (which then ignores it).
    ORDER_CANCELLED: stay,
  },
  REFUNDED: {
    ORDER_CANCELLED: stay,
  },
};

/** What `event` does to a payment in `status`. */
export function decide(status: PaymentStatus, event: PaymentEventType): Decision {
  return transitions[status][event] ?? { kind: "ignore" };
}
