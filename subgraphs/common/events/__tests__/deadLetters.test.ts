import { randomUUID } from "node:crypto";
import { deadLetterOf, deadLetterShape } from "../deadLetters";
import { createEnvelope } from "../envelope";
import { deadLetterSubject } from "../streams";

describe("a dead letter", () => {
  it("says which order an event was about, its type, id and subject, and why it failed", () => {
    const orderId = randomUUID();
    const event = createEnvelope("inventory", { type: "inventory.reservation.succeeded", data: { orderId } });
    const letter = deadLetterOf({
      namespace: "commerce",
      service: "orders",
      consumer: "orders__inventory_reservation_succeeded",
      deliveries: 5,
      error: new Error("no order has this id"),
      event,
      raw: JSON.stringify(event),
    });
    expect(deadLetterShape.parse(letter)).toEqual({
      consumer: "orders__inventory_reservation_succeeded",
      service: "orders",
      reason: "no order has this id",
      error: "no order has this id",
      deliveries: 5,
      failedAt: expect.any(String),
      eventId: event.id,
      eventType: "inventory.reservation.succeeded",
      subject: "commerce.inventory.reservation.succeeded",
      orderId,
      event,
    });
  });

  it("keeps the raw text of a message that was no event", () => {
    const letter = deadLetterOf({
      namespace: "commerce",
      service: "orders",
      consumer: "orders__payments_payment_captured",
      deliveries: 1,
      error: new Error("malformed event envelope"),
      event: undefined,
      raw: "not json",
    });
    expect(letter).toMatchObject({ event: "not json", reason: "malformed event envelope" });
    expect(letter.eventId).toBeUndefined();
  });

  it("travels on a subject of its service, which NATS permissions can grant to that service alone", () => {
    expect(deadLetterSubject("commerce", "orders__payments_payment_captured")).toBe(
      "commerce.deadletter.orders.orders__payments_payment_captured",
    );
  });
});
