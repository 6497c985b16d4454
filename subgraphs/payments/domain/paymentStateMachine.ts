import { PaymentStatus as PaymentStatusColumn } from "../generated/prisma/client";

/**
 * A payment's life as an explicit state machine: one table of what each event does in each
 * status. Every status a payment takes is decided by `decide` and written by the payment store.
 * A new status is a new enum value in the Prisma schema, a row here, and the events that lead
 * into and out of it; `tsc` and the table's test ask for each.
 */
export const paymentStatuses = Object.values(PaymentStatusColumn);
export type PaymentStatus = PaymentStatusColumn;

/** What can happen to a payment: the provider's answers, the order's cancellation, refunds made. */
export const paymentEventTypes = [
  "CAPTURE_SUCCEEDED",
  "CAPTURE_DECLINED",
  /** The provider waits for the customer to authenticate (strong customer authentication). */
  "CAPTURE_REQUIRES_ACTION",
  /** The provider accepted the payment and has not settled it yet; it tells when it does. */
  "CAPTURE_PROCESSING",
  /** The provider did not answer; the payment window allows another try. */
  "CAPTURE_FAILED_TRANSIENTLY",
  /** The provider did not answer, and its window closes before another try. */
  "CAPTURE_TIMED_OUT",
  "ORDER_CANCELLED",
  "REFUNDED_IN_PART",
  "REFUNDED_IN_FULL",
] as const;
export type PaymentEventType = (typeof paymentEventTypes)[number];

/** What a decision asks for besides the status: giving back what was captured, voiding what waits at the provider. */
interface Followups {
  /** What it captured and has not given back is refunded. */
  refund?: true;
  /** A payment still waiting at the provider (for the customer, or to settle) is cancelled there. */
  voidAtProvider?: true;
}

export type Decision =
  /** The payment moves to `to`. */
  | ({ kind: "transition"; to: PaymentStatus } & Followups)
  /** The payment keeps its status and the event is recorded (a try to repeat, a cancellation to remember). */
  | ({ kind: "stay" } & Followups)
  /** Nothing to do: the event is late, repeated, or overtaken. */
  | { kind: "ignore" };

const goTo = (to: PaymentStatus, followups: Followups = {}): Decision => ({ kind: "transition", to, ...followups });
const stay = (followups: Followups = {}): Decision => ({ kind: "stay", ...followups });

const transitions: Record<PaymentStatus, Partial<Record<PaymentEventType, Decision>>> = {
  PENDING: {
    CAPTURE_SUCCEEDED: goTo("SUCCEEDED"),
    CAPTURE_DECLINED: goTo("FAILED"),
    CAPTURE_REQUIRES_ACTION: goTo("REQUIRES_ACTION"),
    // No more calls: the provider's notification (or reconciliation) settles it.
    CAPTURE_PROCESSING: stay(),
    CAPTURE_FAILED_TRANSIENTLY: stay(),
    CAPTURE_TIMED_OUT: goTo("FAILED"),
    // Nothing is captured yet: the payment closes, and a capture under way is refunded when it lands.
    ORDER_CANCELLED: goTo("FAILED"),
  },
  REQUIRES_ACTION: {
    CAPTURE_SUCCEEDED: goTo("SUCCEEDED"),
    CAPTURE_DECLINED: goTo("FAILED"),
    // The customer may still authenticate until then: nothing is left waiting at the provider.
    ORDER_CANCELLED: goTo("FAILED", { voidAtProvider: true }),
  },
  SUCCEEDED: {
    ORDER_CANCELLED: stay({ refund: true }),
    REFUNDED_IN_PART: goTo("PARTIALLY_REFUNDED"),
    REFUNDED_IN_FULL: goTo("REFUNDED"),
  },
  PARTIALLY_REFUNDED: {
    ORDER_CANCELLED: stay({ refund: true }),
    REFUNDED_IN_PART: goTo("PARTIALLY_REFUNDED"),
    REFUNDED_IN_FULL: goTo("REFUNDED"),
  },
  FAILED: {
    // The provider captured after the payment was closed (the order cancelled, or its window
    // closed, or a notification of a cancellation came first): the capture is recorded, then given back.
    CAPTURE_SUCCEEDED: goTo("SUCCEEDED", { refund: true }),
    // An answer that came after the payment closed, with the payment still open at the provider.
    CAPTURE_REQUIRES_ACTION: stay({ voidAtProvider: true }),
    CAPTURE_PROCESSING: stay({ voidAtProvider: true }),
    // Remembered, so that a capture landing later is told to orders (which then ignores it).
    ORDER_CANCELLED: stay(),
  },
  REFUNDED: {
    ORDER_CANCELLED: stay(),
  },
};

/** What `event` does to a payment in `status`. */
export function decide(status: PaymentStatus, event: PaymentEventType): Decision {
  return transitions[status][event] ?? { kind: "ignore" };
}
