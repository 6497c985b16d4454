import {
  decide,
  paymentEventTypes,
  paymentStatuses,
  type Decision,
  type PaymentEventType,
  type PaymentStatus,
} from "../domain/paymentStateMachine";

/** The whole table, written out: every status against every event. */
const expected: Record<PaymentStatus, Record<PaymentEventType, string>> = {
  PENDING: {
    CAPTURE_SUCCEEDED: "SUCCEEDED",
    CAPTURE_DECLINED: "FAILED",
    CAPTURE_REQUIRES_ACTION: "REQUIRES_ACTION",
    CAPTURE_PROCESSING: "stay",
    CAPTURE_FAILED_TRANSIENTLY: "stay",
    CAPTURE_TIMED_OUT: "FAILED",
    ORDER_CANCELLED: "FAILED",
    REFUNDED_IN_PART: "ignore",
    REFUNDED_IN_FULL: "ignore",
  },
  REQUIRES_ACTION: {
    CAPTURE_SUCCEEDED: "SUCCEEDED",
    CAPTURE_DECLINED: "FAILED",
    CAPTURE_REQUIRES_ACTION: "ignore",
    CAPTURE_PROCESSING: "ignore",
    CAPTURE_FAILED_TRANSIENTLY: "ignore",
    CAPTURE_TIMED_OUT: "ignore",
    ORDER_CANCELLED: "FAILED+void",
    REFUNDED_IN_PART: "ignore",
    REFUNDED_IN_FULL: "ignore",
  },
  SUCCEEDED: {
    CAPTURE_SUCCEEDED: "ignore",
    CAPTURE_DECLINED: "ignore",
    CAPTURE_REQUIRES_ACTION: "ignore",
    CAPTURE_PROCESSING: "ignore",
    CAPTURE_FAILED_TRANSIENTLY: "ignore",
    CAPTURE_TIMED_OUT: "ignore",
    ORDER_CANCELLED: "stay+refund",
    REFUNDED_IN_PART: "PARTIALLY_REFUNDED",
    REFUNDED_IN_FULL: "REFUNDED",
  },
  PARTIALLY_REFUNDED: {
    CAPTURE_SUCCEEDED: "ignore",
    CAPTURE_DECLINED: "ignore",
    CAPTURE_REQUIRES_ACTION: "ignore",
    CAPTURE_PROCESSING: "ignore",
    CAPTURE_FAILED_TRANSIENTLY: "ignore",
    CAPTURE_TIMED_OUT: "ignore",
    ORDER_CANCELLED: "stay+refund",
    REFUNDED_IN_PART: "PARTIALLY_REFUNDED",
    REFUNDED_IN_FULL: "REFUNDED",
  },
  FAILED: {
    CAPTURE_SUCCEEDED: "SUCCEEDED+refund",
    CAPTURE_DECLINED: "ignore",
    CAPTURE_REQUIRES_ACTION: "stay+void",
    CAPTURE_PROCESSING: "stay+void",
    CAPTURE_FAILED_TRANSIENTLY: "ignore",
    CAPTURE_TIMED_OUT: "ignore",
    ORDER_CANCELLED: "stay",
    REFUNDED_IN_PART: "ignore",
    REFUNDED_IN_FULL: "ignore",
  },
  REFUNDED: {
    CAPTURE_SUCCEEDED: "ignore",
    CAPTURE_DECLINED: "ignore",
    CAPTURE_REQUIRES_ACTION: "ignore",
    CAPTURE_PROCESSING: "ignore",
    CAPTURE_FAILED_TRANSIENTLY: "ignore",
    CAPTURE_TIMED_OUT: "ignore",
    ORDER_CANCELLED: "stay",
    REFUNDED_IN_PART: "ignore",
    REFUNDED_IN_FULL: "ignore",
  },
};

function describe_(decision: Decision): string {
  const refund = decision.kind !== "ignore" && decision.refund ? "+refund" : "";
  const voids = decision.kind !== "ignore" && decision.voidAtProvider ? "+void" : "";
  return `${decision.kind === "transition" ? decision.to : decision.kind}${refund}${voids}`;
}

describe("the payment state machine", () => {
  const pairs = paymentStatuses.flatMap((status) => paymentEventTypes.map((event) => [status, event] as const));

  it("has a row for every status of the database's enum, and covers every pair", () => {
    expect(Object.keys(expected).sort()).toEqual([...paymentStatuses].sort());
    expect(pairs).toHaveLength(paymentStatuses.length * paymentEventTypes.length);
  });

  it.each(pairs)("in %s, %s does what the table says", (status, event) => {
    expect(describe_(decide(status, event))).toBe(expected[status][event]);
  });

  it("never leaves REFUNDED, and leaves FAILED only for a capture that came too late, which it gives back", () => {
    for (const event of paymentEventTypes) expect(decide("REFUNDED", event).kind).not.toBe("transition");
    const leavingFailed = paymentEventTypes.filter((event) => decide("FAILED", event).kind === "transition");
    expect(leavingFailed).toEqual(["CAPTURE_SUCCEEDED"]);
    expect(decide("FAILED", "CAPTURE_SUCCEEDED")).toEqual({ kind: "transition", to: "SUCCEEDED", refund: true });
  });

  it("voids at the provider only what was not taken, and only once the payment is closed", () => {
    for (const [status, event] of pairs) {
      const decision = decide(status, event);
      if (decision.kind === "ignore" || !decision.voidAtProvider) continue;
      expect(decision.kind === "transition" ? decision.to : status).toBe("FAILED");
      expect(decision.refund).toBeUndefined();
    }
  });

  it("leaves REQUIRES_ACTION only for the outcome of the customer's authentication or the order's cancellation", () => {
    const leaving = paymentEventTypes.filter((event) => decide("REQUIRES_ACTION", event).kind === "transition");
    expect(leaving).toEqual(["CAPTURE_SUCCEEDED", "CAPTURE_DECLINED", "ORDER_CANCELLED"]);
  });

  it("refunds only what was captured", () => {
    for (const [status, event] of pairs) {
      const decision = decide(status, event);
      if (decision.kind === "ignore" || !decision.refund) continue;
      const captured = decision.kind === "transition" ? decision.to : status;
      expect(["SUCCEEDED", "PARTIALLY_REFUNDED"]).toContain(captured);
    }
  });
});
