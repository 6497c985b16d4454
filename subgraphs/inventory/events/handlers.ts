import type { AppliedRecord } from "../../common/events/appliedRecord";
import type { EventData } from "../../common/events/catalog";
import type { EventEnvelope } from "../../common/events/envelope";
import { onEvent } from "../../common/events/eventConsumer";
import { continueTrace, type Emit } from "../../common/events/unitOfWork";
import { variantsOfProductEvent } from "../../common/events/productVariants";
import { deductParcel, restockReturn } from "../domain/fulfillments";
import { releaseEditedUnits } from "../domain/reservations";
import { reserveOrders } from "../domain/reserveOrders";
import { settleOrders, type OrderToSettle } from "../domain/settleOrders";
import { lockOrders } from "../store/reservationSql";
import { upsertCatalogVariants } from "../store/catalogStore";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import { inventoryPrivacy } from "../domain/privacy";
import type { InventorySqlTx, InventoryTx } from "../store/database";
import { ensureStockLevels } from "../store/stockStore";

/** Whether the order of a status change had shipped before it: it carries a shipment, or it leaves SHIPPED or DELIVERED. */
function hadShipped(data: EventData<"orders.order.status_changed">): boolean {
  return data.shipment !== null || data.from === "SHIPPED" || data.from === "DELIVERED";
}

/**
 * The catalog read model and the stock records of a product's variants, as a catalog event says
 * they are. Facts are versioned by the product's own version (older events: when they were
 * emitted), so a late event changes nothing.
 */
async function recordCatalogFacts(
  event: EventEnvelope<"catalog.product.created"> | EventEnvelope<"catalog.product.updated">,
  tx: InventoryTx,
): Promise<void> {
  const { productId, name } = event.data;
  const { status, variants } = variantsOfProductEvent(event.data);
  await ensureStockLevels(
    tx,
    variants.map((variant) => ({ variantId: variant.variantId, productId })),
  );
  await upsertCatalogVariants(
    tx,
    { productId, name, status },
    variants,
    new Date(event.data.updatedAt ?? event.occurredAt),
  );
}

/**
 * The checkout saga's step: reserve each placed order's lines, all or none, and say so
 * (`inventory.reservation.succeeded` or `.rejected`), for a batch of events in two statements
 * (`reserveOrders`: the consumer's `record` of the events with the locked read, the writes with
 * the events), in the order given. Lines of older events name only the product, whose one
 * variant has its id. Each variant the batch changed is announced once
 * (`inventory.stock.changed`, as the batch left it), not once per order: see `latestStockPerVariant`.
 * Answers the ids (lower case) of the events applied: with a `record`, those it recorded anew.
 */
export async function reservePlacedOrders(
  events: ReadonlyArray<EventEnvelope<"orders.order.placed">>,
  tx: InventorySqlTx,
  emit: Emit,
  record?: AppliedRecord,
): Promise<Set<string>> {
  const outcomes = await reserveOrders(
    tx,
    emit,
    events.map((event) => ({
      eventId: event.id,
      orderId: event.data.orderId,
      lines: event.data.lines.map((line) => ({
        productId: line.productId,
        variantId: line.variantId ?? line.productId,
        quantity: line.quantity,
      })),
    })),
    {
      latestStockOnly: true,
      ...(record ? { record } : {}),
      tell: (planned, told) =>
        planned.forEach((outcome, index) => {
          const { orderId } = events[index]!.data;
          continueTrace(told, events[index]!.traceparent);
          if (outcome.kind === "reserved") told("inventory.reservation.succeeded", { orderId });
          if (outcome.kind === "insufficient") {
            told("inventory.reservation.rejected", {
              orderId,
              productId: outcome.productId,
              variantId: outcome.variantId,
              requested: outcome.requested,
              available: outcome.available,
            });
          }
        }),
    },
  );
  return new Set(
    events.filter((_, index) => outcomes[index]!.kind !== "duplicate").map((event) => event.id.toLowerCase()),
  );
}

/**
 * What an order's new status does to its stock. A cancelled order gives its stock back, and so
 * does one refunded in full before it shipped; a shipped one takes its stock out of the
 * warehouse. A full refund after shipping deducts too: its "shipped" may not have been applied
 * yet (it failed once and is redelivered later), and the goods have left all the same.
 * Deducting only turns what is still reserved into a deduction, so the late "shipped" then finds
 * nothing left to do. An order shipped in parcels: each parcel deducts its own units
 * (`orders.fulfillment.created`), and an order that ends gives back what no parcel took.
 */
function settlementOf(data: EventData<"orders.order.status_changed">): Omit<OrderToSettle, "traceparent"> | null {
  const { orderId, status, cancellationReason } = data;
  const release = (reason: string) => ({ orderId, action: "release" as const, reason });
  const deduct = { orderId, action: "deduct" as const, reason: `shipped with order ${orderId}` };
  if (status === "CANCELLED") return release(`order cancelled (${cancellationReason ?? "no reason"})`);
  if (status === "REFUNDED")
    return !data.shipsInFulfillments && hadShipped(data) ? deduct : release("order refunded in full");
  if (status === "SHIPPED" && !data.shipsInFulfillments) return deduct;
  return null;
}

/**
 * Settles the orders of a batch of status changes (`settlementOf`), in delivery order, in three
 * statements whatever the batch holds: the consumer's `record` of the events (if any) with the
 * orders' locks, then `settleOrders`' read and write (the write with the events). Each order's
 * events carry its own event's trace. Answers the ids (lower case) of the events applied: with
 * a `record`, those it recorded anew.
 */
export async function settleStatusChanges(
  events: ReadonlyArray<EventEnvelope<"orders.order.status_changed">>,
  tx: InventorySqlTx,
  emit: Emit,
  record?: AppliedRecord,
): Promise<Set<string>> {
  const settlements = events.map((event) => settlementOf(event.data));
  // The locks of the orders to settle only: a status that settles nothing needs none.
  const fresh = await lockOrders(
    tx,
    settlements.flatMap((settlement) => (settlement ? [settlement.orderId] : [])),
    record,
  );
  const applied = record ? events.filter((event) => fresh.has(event.id.toLowerCase())) : events;
  await settleOrders(
    tx,
    emit,
    events.flatMap((event, index) => {
      const settlement = settlements[index];
      return settlement && applied.includes(event) ? [{ ...settlement, traceparent: event.traceparent }] : [];
    }),
    { locked: true },
  );
  return new Set(applied.map((event) => event.id.toLowerCase()));
}

/** Every event the inventory service reacts to. */
export const inventoryEventHandlers = [
  onEvent<InventoryTx, "catalog.product.created">("catalog.product.created", recordCatalogFacts),
  onEvent<InventoryTx, "catalog.product.updated">("catalog.product.updated", recordCatalogFacts),
  // The checkout saga: reserve an order's lines when it is placed, all or none.
  // A batch of placed orders (or one) is reserved in one pass, each all or none, in a transaction
  // of our own on the pool (the work is SQL only): BEGIN, the record of the events with the
  // locked read, the writes with the events, COMMIT.
  onEvent<InventorySqlTx, "orders.order.placed">(
    "orders.order.placed",
    async (event, tx, emit) => void (await reservePlacedOrders([event], tx, emit)),
    { handleRecording: reservePlacedOrders, sqlOnly: true },
  ),
  // Settling is SQL only (`settleStatusChanges`): it runs in a transaction of our own on the pool,
  // a batch of status changes (or one) in BEGIN, the record with the locks, the read, the writes
  // with the events, COMMIT.
  onEvent<InventorySqlTx, "orders.order.status_changed">(
    "orders.order.status_changed",
    async (event, tx, emit) => void (await settleStatusChanges([event], tx, emit)),
    { subjectDetails: ["CANCELLED", "REFUNDED", "SHIPPED"], sqlOnly: true, handleRecording: settleStatusChanges },
  ),
  // An order edited before shipping: the units its lines gave up are no longer held for it.
  onEvent<InventoryTx, "orders.order.edited">("orders.order.edited", (event, tx, emit) =>
    releaseEditedUnits(tx, emit, {
      orderId: event.data.orderId,
      editId: event.data.editId,
      lines: event.data.lines.map((line) => ({
        productId: line.productId,
        variantId: line.variantId,
        quantity: line.previousQuantity - line.quantity,
      })),
    }),
  ),
  // A parcel left: its units are deducted where it left from.
  onEvent<InventoryTx, "orders.fulfillment.created">("orders.fulfillment.created", (event, tx, emit) =>
    deductParcel(tx, emit, {
      orderId: event.data.orderId,
      fulfillmentId: event.data.fulfillmentId,
      locationId: event.data.locationId,
      lines: event.data.lines,
    }),
  ),
  // A return arrived and the back office chose to restock it.
  onEvent<InventoryTx, "orders.return.received">(
    "orders.return.received",
    (event, tx, emit) =>
      restockReturn(tx, emit, {
        orderId: event.data.orderId,
        returnId: event.data.returnId,
        locationId: event.data.restockLocationId!,
        lines: event.data.lines,
      }),
    { appliesTo: (event) => event.data.restockLocationId !== null },
  ),
  // Privacy requests: the stock movements a person made exported; their request keys forgotten.
  ...privacyEventHandlers("inventory", inventoryPrivacy),
];
