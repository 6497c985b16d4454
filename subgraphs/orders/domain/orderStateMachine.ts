import { orderStatus } from "../../common/events/catalog";

/**
 * The checkout saga as an explicit state machine: one table of what each event does in each
 * status. Everything that moves an order goes through `decide`.
 */

/** The statuses an order takes, as `orders.order.status_changed` tells them. */
export const orderStatuses = orderStatus.options;
export type OrderStatus = (typeof orderStatuses)[number];

export type CancellationReason =
  "OUT_OF_STOCK" | "PAYMENT_DECLINED" | "PAYMENT_TIMEOUT" | "CANCELLED_BY_CUSTOMER" | "CANCELLED_BY_ADMIN";

/** What can happen to an order: facts from other services, the payment window, and back-office or customer commands. */
export const sagaEventTypes = [
  "STOCK_RESERVED",
  "STOCK_REJECTED",
  "PAYMENT_CAPTURED",
  "PAYMENT_DECLINED",
  "PAYMENT_TIMED_OUT",
  "CANCELLED_BY_CUSTOMER",
  "CANCELLED_BY_ADMIN",
  /** A fulfillment left with some of the order's units, not yet all of them. */
  "PARTIALLY_SHIPPED",
  /** Every unit of the order is in a fulfillment (the last one, or `shipOrder`'s one). */
  "SHIPPED",
  /** Every fulfillment is delivered (by the carrier's word, or the back office's). */
  "DELIVERED",
  "FULLY_REFUNDED",
] as const;
export type SagaEventType = (typeof sagaEventTypes)[number];

/** Events that someone asks for (and can be told no); the others are facts that already happened. */
export const commandEvents: ReadonlySet<SagaEventType> = new Set([
  "CANCELLED_BY_CUSTOMER",
  "CANCELLED_BY_ADMIN",
  "PARTIALLY_SHIPPED",
  "SHIPPED",
  "DELIVERED",
]);

export type Decision =
  | { kind: "transition"; to: OrderStatus; cancellationReason?: CancellationReason; requestPayment?: true }
  /** A fact that changes nothing now: late, repeated, or overtaken by another step. */
  | { kind: "ignore" }
  /** A command the order's status does not allow: CONFLICT for the one who asked. */
  | { kind: "reject" };

const cancel = (cancellationReason: CancellationReason): Decision => ({
  kind: "transition",
  to: "CANCELLED",
  cancellationReason,
});
const goTo = (to: OrderStatus): Decision => ({ kind: "transition", to });

const transitions: Record<OrderStatus, Partial<Record<SagaEventType, Decision>>> = {
  PENDING: {
    STOCK_RESERVED: { kind: "transition", to: "AWAITING_PAYMENT", requestPayment: true },
    STOCK_REJECTED: cancel("OUT_OF_STOCK"),
    PAYMENT_TIMED_OUT: cancel("PAYMENT_TIMEOUT"),
    CANCELLED_BY_CUSTOMER: cancel("CANCELLED_BY_CUSTOMER"),
    CANCELLED_BY_ADMIN: cancel("CANCELLED_BY_ADMIN"),
  },
  AWAITING_PAYMENT: {
    PAYMENT_CAPTURED: goTo("CONFIRMED"),
    PAYMENT_DECLINED: cancel("PAYMENT_DECLINED"),
    PAYMENT_TIMED_OUT: cancel("PAYMENT_TIMEOUT"),
    CANCELLED_BY_CUSTOMER: cancel("CANCELLED_BY_CUSTOMER"),
    CANCELLED_BY_ADMIN: cancel("CANCELLED_BY_ADMIN"),
  },
  CONFIRMED: {
    PARTIALLY_SHIPPED: goTo("PARTIALLY_SHIPPED"),
    SHIPPED: goTo("SHIPPED"),
    CANCELLED_BY_CUSTOMER: cancel("CANCELLED_BY_CUSTOMER"),
    CANCELLED_BY_ADMIN: cancel("CANCELLED_BY_ADMIN"),
    FULLY_REFUNDED: goTo("REFUNDED"),
  },
  // Some units have left: the order can no longer be cancelled, only shipped in full (or refunded).
  PARTIALLY_SHIPPED: {
    // Another fulfillment that still leaves units behind: allowed, and the status stays.
    PARTIALLY_SHIPPED: { kind: "ignore" },
    SHIPPED: goTo("SHIPPED"),
    FULLY_REFUNDED: goTo("REFUNDED"),
  },
  SHIPPED: {
    DELIVERED: goTo("DELIVERED"),
    FULLY_REFUNDED: goTo("REFUNDED"),
  },
  DELIVERED: {
    FULLY_REFUNDED: goTo("REFUNDED"),
  },
  // Final: a paid order cancelled stays CANCELLED when its refund lands; payments refunds a
  // capture that arrives after the cancellation.
  CANCELLED: {},
  REFUNDED: {},
};

/** What `event` does to an order in `status`: a transition, nothing, or a refusal (commands only). */
export function decide(status: OrderStatus, event: SagaEventType): Decision {
  return transitions[status][event] ?? (commandEvents.has(event) ? { kind: "reject" } : { kind: "ignore" });
}

/** Statuses the payment window still applies to: the order holds stock but is not paid. */
export const awaitingSettlement: readonly OrderStatus[] = ["PENDING", "AWAITING_PAYMENT"];
