import { onEvent } from "../../common/events/eventConsumer";
import type { Emit } from "../../common/events/unitOfWork";
import type { EventEnvelope } from "../../common/events/envelope";
import type { EventData } from "../../common/events/catalog";
import { variantsOfProductEvent } from "../../common/events/productVariants";
import { fromMoney } from "../../common/money";
import { attachVerifiedGuestOrders } from "../domain/guestOrders";
import { guestAddress } from "../domain/orderEvents";
import { applySagaEvent, type SagaEvent } from "../domain/orderTransitions";
import { applySagaEvents } from "../domain/sagaSteps";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import type { OrdersTx } from "../store/database";
import { customerEmailHandlers } from "./customerEmails";
import { recordAvailability, upsertCatalogFacts } from "../store/catalogStore";
import { recordLocation } from "../store/locationStore";
import { recordExchangeCredit, recordReturnRefund } from "../store/returnStore";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import { ordersPrivacy } from "../domain/privacy";
import { findOrdersByIds } from "../store/orderStore";
import type { OrderRecord } from "../store/records";

/** A catalog event's version of the product: the product's own, or (older events) when it was emitted. */
function factsVersion(event: { occurredAt: string; data: { updatedAt?: string } }): Date {
  return new Date(event.data.updatedAt ?? event.occurredAt);
}

/** The catalog read model: every variant of the product, as the event says it is at the product's version. */
function recordCatalogFacts(
  event: EventEnvelope<"catalog.product.created"> | EventEnvelope<"catalog.product.updated">,
  tx: OrdersTx,
): Promise<void> {
  const { productId, name, categoryId, taxCategory } = event.data;
  const { status, variants } = variantsOfProductEvent(event.data);
  return upsertCatalogFacts(
    tx,
    { productId, name, status, taxCategory: taxCategory ?? "STANDARD", categoryId },
    variants.map((variant) => ({
      variantId: variant.variantId,
      sku: variant.sku,
      title: variant.title,
      selectedOptions: variant.selectedOptions,
      image: variant.image,
      priceMinor: fromMoney(variant.price),
      currency: variant.price.currency,
      archived: variant.archived,
      weightGrams: variant.weightGrams ?? 0,
    })),
    factsVersion(event),
  );
}

/** Moves the order; an event about an order this service never had is a poison message. */
async function advance(tx: SqlExecutor, emit: Emit, orderId: string, event: SagaEvent): Promise<void> {
  const outcome = await applySagaEvent(tx, emit, orderId, event);
  if (!outcome) throw new Error(`no order ${orderId} for ${event.type}`);
}

/**
 * A saga reply of another service: each event moves its order (`sagaEventOf` says how, or null:
 * not at all), a batch at once in a fixed number of statements, one event as a batch of one
 * (`applySagaEvents`: an event about an unknown order is a poison message; a batch it cannot
 * apply at once is applied one by one). Only SQL, in a transaction of our own on the pool.
 */
function sagaReply<T extends SagaReplyType>(type: T, sagaEventOf: (event: EventEnvelope<T>) => SagaEvent | null) {
  const stepsOf = (events: ReadonlyArray<EventEnvelope<T>>) =>
    events.flatMap((event) => {
      const step = sagaEventOf(event);
      return step
        ? [
            {
              eventId: event.id.toLowerCase(),
              orderId: event.data.orderId,
              event: step,
              traceparent: event.traceparent,
            },
          ]
        : [];
    });
  return onEvent<SqlExecutor, T>(
    type,
    async (event, tx, emit) => {
      await applySagaEvents(tx, emit, stepsOf([event]));
    },
    {
      sqlOnly: true,
      // The events recorded as applied in the statement that locks their orders.
      handleRecording: (events, tx, emit, record) => applySagaEvents(tx, emit, stepsOf(events), record),
    },
  );
}

type SagaReplyType =
  | "inventory.reservation.succeeded"
  | "inventory.reservation.rejected"
  | "payments.payment.captured"
  | "payments.payment.failed";

/** `orders.refund.recorded`: a refund of the order, with its number and owner, for the customer's message. */
function refundRecorded(
  order: OrderRecord,
  event: EventEnvelope<"payments.payment.refunded">,
  returnId: string | null,
): EventData<"orders.refund.recorded"> {
  const { paymentId, amount, refundedTotal, fullyRefunded, reason } = event.data;
  return {
    orderId: order.id,
    number: order.number,
    customerId: order.customerId,
    paymentId,
    amount,
    refundedTotal,
    fullyRefunded,
    reason,
    returnId,
    at: event.occurredAt,
    ...guestAddress(order),
  };
}

/** Every event the orders service reacts to: the saga's replies, and its read models. */
export const ordersEventHandlers = [
  sagaReply("inventory.reservation.succeeded", () => ({ type: "STOCK_RESERVED", reason: "stock reserved" })),
  sagaReply("inventory.reservation.rejected", (event) => {
    const { productId, variantId, requested, available } = event.data;
    return {
      type: "STOCK_REJECTED",
      reason: `not enough stock of ${variantId ? `variant ${variantId}` : `product ${productId}`}: ${requested} ordered, ${available} available`,
    };
  }),
  sagaReply("payments.payment.captured", (event) => ({
    type: "PAYMENT_CAPTURED",
    reason: `payment of ${event.data.amount.amount} ${event.data.amount.currency} captured`,
  })),
  sagaReply("payments.payment.failed", (event) => {
    const { outcome, failureReason } = event.data;
    if (outcome === "DECLINED") return { type: "PAYMENT_DECLINED", reason: `payment declined: ${failureReason}` };
    if (outcome === "TIMED_OUT")
      return { type: "PAYMENT_TIMED_OUT", reason: `the payment did not settle in time: ${failureReason}` };
    return null;
  }),
  onEvent<OrdersTx, "payments.payment.refunded">("payments.payment.refunded", async (event, tx, emit) => {
    // A return's refund (its key is `return:<id>`) settles the return.
    const returnId = /^return:([0-9a-f-]{36})$/.exec(event.data.idempotencyKey ?? "")?.[1];
    if (returnId) await recordReturnRefund(tx, returnId, fromMoney(event.data.amount));
    if (event.data.fullyRefunded)
      await advance(tx, emit, event.data.orderId, {
        type: "FULLY_REFUNDED",
        reason: event.data.reason ? `refunded in full: ${event.data.reason}` : "refunded in full",
      });
    // The customer is told by the notifications service, which knows the order by this event.
    const [order] = await findOrdersByIds(tx, [event.data.orderId]);
    if (order) emit("orders.refund.recorded", refundRecorded(order, event, returnId ?? null));
  }),
  // A return's refund paid for its exchange order (whose capture payments tells on its own).
  onEvent<OrdersTx, "payments.exchange.paid">("payments.exchange.paid", (event, tx) =>
    recordExchangeCredit(tx, event.data.returnId, fromMoney(event.data.amount)),
  ),
  // The account proved its email: the guest orders placed with it become the account's.
  onEvent<OrdersTx, "users.user.email_verified">("users.user.email_verified", (event, tx, emit) =>
    attachVerifiedGuestOrders(tx, emit, event.data.userId, event.data.email),
  ),
  // Read models of the catalog and of availability: an older or repeated fact changes nothing.
  onEvent<OrdersTx, "catalog.product.created">("catalog.product.created", recordCatalogFacts, {
    idempotentByVersion: true,
  }),
  onEvent<OrdersTx, "catalog.product.updated">("catalog.product.updated", recordCatalogFacts, {
    idempotentByVersion: true,
  }),
  onEvent<OrdersTx, "inventory.location.changed">(
    "inventory.location.changed",
    (event, tx) => recordLocation(tx, event.data),
    {
      idempotentByVersion: true,
    },
  ),
  onEvent<OrdersTx, "inventory.stock.changed">(
    "inventory.stock.changed",
    // Older events name only the product, whose one variant has its id.
    (event, tx) =>
      recordAvailability(tx, [
        {
          variantId: event.data.variantId ?? event.data.productId,
          available: event.data.available,
          version: event.data.version,
        },
      ]),
    { idempotentByVersion: true },
  ),
  ...customerEmailHandlers,
  // Privacy requests: the customer's orders exported, or their personal fields erased.
  ...privacyEventHandlers("orders", ordersPrivacy),
];
