import type { EventData } from "../../common/events/catalog";
import type { EventEnvelope } from "../../common/events/envelope";
import { onEvent } from "../../common/events/eventConsumer";
import { continueTrace, type Emit } from "../../common/events/unitOfWork";
import { variantsOfProductEvent } from "../../common/events/productVariants";
import { deductParcel, restockReturn } from "../domain/fulfillments";
import { latestStockPerVariant } from "../domain/latestStock";
import { deductOrder, releaseEditedUnits, releaseOrder } from "../domain/reservations";
import { reserveOrders } from "../domain/reserveOrders";
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
 * (`inventory.reservation.succeeded` or `.rejected`), for a batch of events in three statements
 * (`reserveOrders`), in the order given. Lines of older events name only the product, whose one
 * variant has its id. Each variant the batch changed is announced once
 * (`inventory.stock.changed`, as the batch left it), not once per order: see `latestStockPerVariant`.
 */
export async function reservePlacedOrders(
  events: ReadonlyArray<EventEnvelope<"orders.order.placed">>,
  tx: InventorySqlTx,
  emit: Emit,
): Promise<void> {
  const stock = latestStockPerVariant(emit);
  const outcomes = await reserveOrders(
    tx,
    stock.emit,
    events.map((event) => ({
      orderId: event.data.orderId,
      lines: event.data.lines.map((line) => ({
        productId: line.productId,
        variantId: line.variantId ?? line.productId,
        quantity: line.quantity,
      })),
    })),
  );
  stock.flush();
  outcomes.forEach((outcome, index) => {
    const { orderId } = events[index]!.data;
    continueTrace(emit, events[index]!.traceparent);
    if (outcome.kind === "reserved") emit("inventory.reservation.succeeded", { orderId });
    if (outcome.kind === "insufficient") {
      emit("inventory.reservation.rejected", {
        orderId,
        productId: outcome.productId,
        variantId: outcome.variantId,
        requested: outcome.requested,
        available: outcome.available,
      });
    }
  });
}

/** Every event the inventory service reacts to. */
export const inventoryEventHandlers = [
  onEvent<InventoryTx, "catalog.product.created">("catalog.product.created", recordCatalogFacts),
  onEvent<InventoryTx, "catalog.product.updated">("catalog.product.updated", recordCatalogFacts),
  // The checkout saga: reserve an order's lines when it is placed, all or none.
  // A batch of placed orders is reserved in one pass (three statements), each all or none, in
  // a transaction of our own on the pool: the work is SQL only.
  onEvent<InventorySqlTx, "orders.order.placed">(
    "orders.order.placed",
    (event, tx, emit) => reservePlacedOrders([event], tx, emit),
    { handleBatch: reservePlacedOrders, sqlOnly: true },
  ),
  // A cancelled order gives its stock back, and so does one refunded in full before it shipped; a
  // shipped one takes its stock out of the warehouse. A full refund after shipping deducts too:
  // its "shipped" may not have been applied yet (it failed once and is redelivered later), and
  // the goods have left all the same. Deducting only turns what is still reserved into a
  // deduction, so the late "shipped" then finds nothing left to do.
  // Settling is SQL only (settleOrders): it runs in a transaction of our own on the pool.
  onEvent<InventorySqlTx, "orders.order.status_changed">(
    "orders.order.status_changed",
    async (event, tx, emit) => {
      const { orderId, status, cancellationReason } = event.data;
      if (event.data.shipsInFulfillments) {
        // Each parcel deducts its own units (`orders.fulfillment.created`); an order that ends
        // gives back what no parcel took.
        if (status === "CANCELLED")
          await releaseOrder(tx, emit, orderId, `order cancelled (${cancellationReason ?? "no reason"})`);
        if (status === "REFUNDED") await releaseOrder(tx, emit, orderId, "order refunded in full");
        return;
      }
      if (status === "CANCELLED")
        await releaseOrder(tx, emit, orderId, `order cancelled (${cancellationReason ?? "no reason"})`);
      if (status === "REFUNDED") {
        if (hadShipped(event.data)) await deductOrder(tx, emit, orderId);
        else await releaseOrder(tx, emit, orderId, "order refunded in full");
      }
      if (status === "SHIPPED") await deductOrder(tx, emit, orderId);
    },
    { subjectDetails: ["CANCELLED", "REFUNDED", "SHIPPED"], sqlOnly: true },
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
