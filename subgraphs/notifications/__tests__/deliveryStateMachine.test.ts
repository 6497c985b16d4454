import {
  decideDelivery,
  deliveryEventTypes,
  deliveryStatuses,
  type DeliveryEventType,
  type DeliveryStatus,
} from "../domain/deliveryStateMachine";

/** The whole table, written out: every status against every outcome of a try. */
const expected: Record<DeliveryStatus, Record<DeliveryEventType, string>> = {
  PENDING: { SENT: "SENT", SEND_FAILED: "stay", LAST_SEND_FAILED: "FAILED", NO_RECIPIENT: "SKIPPED" },
  SENT: { SENT: "ignore", SEND_FAILED: "ignore", LAST_SEND_FAILED: "ignore", NO_RECIPIENT: "ignore" },
  FAILED: { SENT: "ignore", SEND_FAILED: "ignore", LAST_SEND_FAILED: "ignore", NO_RECIPIENT: "ignore" },
  SKIPPED: { SENT: "ignore", SEND_FAILED: "ignore", LAST_SEND_FAILED: "ignore", NO_RECIPIENT: "ignore" },
};

describe("the delivery state machine", () => {
  const pairs = deliveryStatuses.flatMap((status) => deliveryEventTypes.map((event) => [status, event] as const));

  it("has a row for every status of the database's enum", () => {
    expect(Object.keys(expected).sort()).toEqual([...deliveryStatuses].sort());
  });

  it.each(pairs)("in %s, %s does what the table says", (status, event) => {
    const decision = decideDelivery(status, event);
    expect(decision.kind === "transition" ? decision.to : decision.kind).toBe(expected[status][event]);
  });
});
