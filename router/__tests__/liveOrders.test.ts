import { decide, orderStatuses, sagaEventTypes } from "../../subgraphs/orders";
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from "graphql";
import { answerableFromChange, orderFromChange, sagaRank, ToldStatuses } from "../subscriptions/liveOrders";

const orderId = "3f0a2b7e-5d1c-4c8e-9a63-0d4b2f1e7c55";

describe("which order status changes a subscription tells", () => {
  it("drops a change older than the first message, such as one queued while the first read was in flight", () => {
    const told = new ToldStatuses();
    // The first read already shows CONFIRMED; AWAITING_PAYMENT was queued before it answered.
    told.told(orderId, "CONFIRMED");
    expect(told.accept({ orderId, status: "AWAITING_PAYMENT" })).toBe(false);
    expect(told.accept({ orderId, status: "PENDING" })).toBe(false);
    expect(told.accept({ orderId, status: "CONFIRMED" })).toBe(false);
    expect(told.accept({ orderId, status: "SHIPPED" })).toBe(true);
  });

  it("tells every newer change once, in order, and nothing that arrives late", () => {
    const told = new ToldStatuses();
    told.told(orderId, "PENDING");
    const arriving = [
      "AWAITING_PAYMENT",
      "AWAITING_PAYMENT",
      "CONFIRMED",
      "AWAITING_PAYMENT",
      "SHIPPED",
      "CONFIRMED",
      "DELIVERED",
      "REFUNDED",
      "SHIPPED",
    ];
    expect(arriving.filter((status) => told.accept({ orderId, status }))).toEqual([
      "AWAITING_PAYMENT",
      "CONFIRMED",
      "SHIPPED",
      "DELIVERED",
      "REFUNDED",
    ]);
  });

  it("tells a cancellation after any status it can follow, and nothing after it", () => {
    for (const before of ["PENDING", "AWAITING_PAYMENT", "CONFIRMED"]) {
      const told = new ToldStatuses();
      told.told(orderId, before);
      expect(told.accept({ orderId, status: "CANCELLED" })).toBe(true);
      expect(told.accept({ orderId, status: "CONFIRMED" })).toBe(false);
      expect(told.accept({ orderId, status: "CANCELLED" })).toBe(false);
    }
  });

  it("keeps each order apart, and tells the first change of an order it has not seen", () => {
    const other = "7c1d9e40-2b6a-4f3e-8d15-6a0b3c2e9f11";
    const told = new ToldStatuses();
    expect(told.accept({ orderId, status: "CONFIRMED" })).toBe(true);
    expect(told.accept({ orderId: other, status: "PENDING" })).toBe(true);
    expect(told.accept({ orderId, status: "AWAITING_PAYMENT" })).toBe(false);
    expect(told.accept({ orderId: other, status: "AWAITING_PAYMENT" })).toBe(true);
  });

  it("tells each parcel step once, whatever the order's status, and keeps ranking status changes", () => {
    const told = new ToldStatuses();
    told.told(orderId, "PARTIALLY_SHIPPED");
    const step = (id: string, status: string) => ({ orderId, status: "SHIPPED", step: `fulfillment:${id}:${status}` });
    expect(told.accept({ orderId, status: "SHIPPED" })).toBe(true);
    expect(told.accept(step("a", "IN_TRANSIT"))).toBe(true);
    expect(told.accept(step("a", "IN_TRANSIT"))).toBe(false);
    expect(told.accept(step("b", "IN_TRANSIT"))).toBe(true);
    expect(told.accept({ orderId, status: "PARTIALLY_SHIPPED" })).toBe(false);
    expect(told.accept({ orderId, status: "DELIVERED" })).toBe(true);
  });

  it("ranks the statuses as the orders service's state machine moves them: always forward", () => {
    expect(Object.keys(sagaRank).sort()).toEqual([...orderStatuses].sort());
    for (const from of orderStatuses) {
      for (const event of sagaEventTypes) {
        const decision = decide(from, event);
        if (decision.kind === "transition")
          expect({ from, event, forward: sagaRank[decision.to]! > sagaRank[from]! }).toEqual({
            from,
            event,
            forward: true,
          });
      }
    }
  });
});

describe("which subscriptions the router answers from the change itself", () => {
  const rootOf = (subscription: string) =>
    (parse(subscription).definitions[0] as OperationDefinitionNode).selectionSet.selections.find(
      (selection): selection is FieldNode => selection.kind === Kind.FIELD,
    )!;
  const change = {
    orderId,
    customerId: "0c8a7e2d-3b5f-4d61-9e0a-5f2b7c1d4e83",
    number: "ORD-10042",
    status: "CONFIRMED",
    cancellationReason: null,
    at: "2026-12-01T06:00:00.000Z",
  };

  it("answers a selection of what a change carries, under the client's aliases", () => {
    const root = rootOf("subscription { myOrderUpdates { id ref: number status cancellationReason __typename } }");
    expect(answerableFromChange(root)).toBe(true);
    expect(orderFromChange(root, change)).toEqual({
      id: orderId,
      ref: "ORD-10042",
      status: "CONFIRMED",
      cancellationReason: null,
      __typename: "Order",
    });
  });

  it("leaves to the gateway any other field, a fragment, a directive or an empty selection", () => {
    for (const subscription of [
      "subscription { myOrderUpdates { id status total { amount } } }",
      "subscription { myOrderUpdates { id createdAt } }",
      "subscription { myOrderUpdates { ...F } } fragment F on Order { id }",
      "subscription { myOrderUpdates { ... on Order { id } } }",
      "subscription($yes: Boolean!) { myOrderUpdates { id status @include(if: $yes) } }",
      "subscription { myOrderUpdates }",
    ]) {
      expect([subscription, answerableFromChange(rootOf(subscription))]).toEqual([subscription, false]);
    }
  });
});
