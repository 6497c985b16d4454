import { onEvent } from "../../common/events/eventConsumer";
import type { Emit } from "../../common/events/unitOfWork";
import { fromMoney } from "../../common/money";
import { applySagaEvent, type SagaEvent } from "../domain/orderTransitions";
import type { OrdersTx } from "../store/database";
import { recordAvailability, upsertCatalogFacts } from "../store/catalogStore";

/** A catalog event's version of the product: the product's own, or (older events) when it was emitted. */
function factsVersion(event: { occurredAt: string; data: { updatedAt?: string } }): Date {
  return new Date(event.data.updatedAt ?? event.occurredAt);
}

/** Moves the order; an event about an order this service never had is a poison message. */
async function advance(tx: OrdersTx, emit: Emit, orderId: string, event: SagaEvent): Promise<void> {
  const outcome = await applySagaEvent(tx, emit, orderId, event);
  if (!outcome) throw new Error(`no order ${orderId} for ${event.type}`);
}

/** Every event the orders service reacts to: the saga's replies, and its read models. */
export const ordersEventHandlers = [
  onEvent<OrdersTx, "inventory.reservation.succeeded">("inventory.reservation.succeeded", (event, tx, emit) =>
    advance(tx, emit, event.data.orderId, { type: "STOCK_RESERVED", reason: "stock reserved" }),
  ),
  onEvent<OrdersTx, "inventory.reservation.rejected">("inventory.reservation.rejected", (event, tx, emit) => {
    const { orderId, productId, requested, available } = event.data;
    return advance(tx, emit, orderId, {
      type: "STOCK_REJECTED",
      reason: `not enough stock of product ${productId}: ${requested} ordered, ${available} available`,
    });
  }),
  onEvent<OrdersTx, "payments.payment.captured">("payments.payment.captured", (event, tx, emit) =>
    advance(tx, emit, event.data.orderId, {
      type: "PAYMENT_CAPTURED",
      reason: `payment of ${event.data.amount.amount} ${event.data.amount.currency} captured`,
    }),
  ),
  onEvent<OrdersTx, "payments.payment.failed">("payments.payment.failed", async (event, tx, emit) => {
    const { orderId, outcome, failureReason } = event.data;
    if (outcome === "DECLINED")
      await advance(tx, emit, orderId, { type: "PAYMENT_DECLINED", reason: `payment declined: ${failureReason}` });
    if (outcome === "TIMED_OUT") {
      await advance(tx, emit, orderId, {
        type: "PAYMENT_TIMED_OUT",
        reason: `the payment did not settle in time: ${failureReason}`,
      });
    }
  }),
  onEvent<OrdersTx, "payments.payment.refunded">("payments.payment.refunded", async (event, tx, emit) => {
    if (event.data.fullyRefunded)
      await advance(tx, emit, event.data.orderId, {
        type: "FULLY_REFUNDED",
        reason: event.data.reason ? `refunded in full: ${event.data.reason}` : "refunded in full",
      });
  }),
  // Read models of the catalog and of availability: an older or repeated fact changes nothing.
  onEvent<OrdersTx, "catalog.product.created">(
    "catalog.product.created",
    async (event, tx) => {
      const { productId, sku, name, price } = event.data;
      await upsertCatalogFacts(
        tx,
        { productId, sku, name, priceMinor: fromMoney(price), currency: price.currency, archived: false },
        factsVersion(event),
      );
    },
    { idempotentByVersion: true },
  ),
  onEvent<OrdersTx, "catalog.product.updated">(
    "catalog.product.updated",
    async (event, tx) => {
      const { productId, sku, name, price, archived } = event.data;
      await upsertCatalogFacts(
        tx,
        { productId, sku, name, priceMinor: fromMoney(price), currency: price.currency, archived },
        factsVersion(event),
      );
    },
    { idempotentByVersion: true },
  ),
  onEvent<OrdersTx, "inventory.stock.changed">(
    "inventory.stock.changed",
    (event, tx) => recordAvailability(tx, event.data.productId, event.data.available, event.data.version),
    { idempotentByVersion: true },
  ),
];
