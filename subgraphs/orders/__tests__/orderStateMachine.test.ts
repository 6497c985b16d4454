import {
  decide,
  orderStatuses,
  sagaEventTypes,
  type Decision,
  type OrderStatus,
  type SagaEventType,
} from "../domain/orderStateMachine";
import { newOrderNumber } from "../domain/orderNumber";

/** The whole table, written out: every status against every event. */
const expected: Record<OrderStatus, Record<SagaEventType, string>> = {
  PENDING: {
    STOCK_RESERVED: "AWAITING_PAYMENT+payment",
    STOCK_REJECTED: "CANCELLED/OUT_OF_STOCK",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "CANCELLED/PAYMENT_TIMEOUT",
    CANCELLED_BY_CUSTOMER: "CANCELLED/CANCELLED_BY_CUSTOMER",
    CANCELLED_BY_ADMIN: "CANCELLED/CANCELLED_BY_ADMIN",
    PARTIALLY_SHIPPED: "reject",
    SHIPPED: "reject",
    DELIVERED: "reject",
    FULLY_REFUNDED: "ignore",
  },
  AWAITING_PAYMENT: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "CONFIRMED",
    PAYMENT_DECLINED: "CANCELLED/PAYMENT_DECLINED",
    PAYMENT_TIMED_OUT: "CANCELLED/PAYMENT_TIMEOUT",
    CANCELLED_BY_CUSTOMER: "CANCELLED/CANCELLED_BY_CUSTOMER",
    CANCELLED_BY_ADMIN: "CANCELLED/CANCELLED_BY_ADMIN",
    PARTIALLY_SHIPPED: "reject",
    SHIPPED: "reject",
    DELIVERED: "reject",
    FULLY_REFUNDED: "ignore",
  },
  CONFIRMED: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "ignore",
    CANCELLED_BY_CUSTOMER: "CANCELLED/CANCELLED_BY_CUSTOMER",
    CANCELLED_BY_ADMIN: "CANCELLED/CANCELLED_BY_ADMIN",
    PARTIALLY_SHIPPED: "PARTIALLY_SHIPPED",
    SHIPPED: "SHIPPED",
    DELIVERED: "reject",
    FULLY_REFUNDED: "REFUNDED",
  },
  PARTIALLY_SHIPPED: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "ignore",
    CANCELLED_BY_CUSTOMER: "reject",
    CANCELLED_BY_ADMIN: "reject",
    PARTIALLY_SHIPPED: "ignore",
    SHIPPED: "SHIPPED",
    DELIVERED: "reject",
    FULLY_REFUNDED: "REFUNDED",
  },
  SHIPPED: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "ignore",
    CANCELLED_BY_CUSTOMER: "reject",
    CANCELLED_BY_ADMIN: "reject",
    PARTIALLY_SHIPPED: "reject",
    SHIPPED: "reject",
    DELIVERED: "DELIVERED",
    FULLY_REFUNDED: "REFUNDED",
  },
  DELIVERED: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "ignore",
    CANCELLED_BY_CUSTOMER: "reject",
    CANCELLED_BY_ADMIN: "reject",
    PARTIALLY_SHIPPED: "reject",
    SHIPPED: "reject",
    DELIVERED: "reject",
    FULLY_REFUNDED: "REFUNDED",
  },
  CANCELLED: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "ignore",
    CANCELLED_BY_CUSTOMER: "reject",
    CANCELLED_BY_ADMIN: "reject",
    PARTIALLY_SHIPPED: "reject",
    SHIPPED: "reject",
    DELIVERED: "reject",
    FULLY_REFUNDED: "ignore",
  },
  REFUNDED: {
    STOCK_RESERVED: "ignore",
    STOCK_REJECTED: "ignore",
    PAYMENT_CAPTURED: "ignore",
    PAYMENT_DECLINED: "ignore",
    PAYMENT_TIMED_OUT: "ignore",
    CANCELLED_BY_CUSTOMER: "reject",
    CANCELLED_BY_ADMIN: "reject",
    PARTIALLY_SHIPPED: "reject",
    SHIPPED: "reject",
    DELIVERED: "reject",
    FULLY_REFUNDED: "ignore",
  },
};

function describe_(decision: Decision): string {
  if (decision.kind !== "transition") return decision.kind;
  return `${decision.to}${decision.cancellationReason ? `/${decision.cancellationReason}` : ""}${decision.requestPayment ? "+payment" : ""}`;
}

describe("the order state machine", () => {
  const pairs = orderStatuses.flatMap((status) => sagaEventTypes.map((event) => [status, event] as const));

  it("covers every pair of status and event", () => {
    expect(pairs).toHaveLength(orderStatuses.length * sagaEventTypes.length);
  });

  it.each(pairs)("in %s, %s does what the table says", (status, event) => {
    expect(describe_(decide(status, event))).toBe(expected[status][event]);
  });

  it("never leaves a final status", () => {
    for (const status of ["CANCELLED", "REFUNDED"] as const) {
      for (const event of sagaEventTypes) expect(decide(status, event).kind).not.toBe("transition");
    }
  });
});

describe("order numbers", () => {
  it("are short, readable aloud, and practically unique", () => {
    const numbers = Array.from({ length: 10_000 }, newOrderNumber);
    for (const number of numbers.slice(0, 100)) expect(number).toMatch(/^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
