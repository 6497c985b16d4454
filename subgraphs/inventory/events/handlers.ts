import type { EventData } from "../../common/events/catalog";
import { onEvent } from "../../common/events/eventConsumer";
import { deductOrder, releaseOrder, reserveOrder } from "../domain/reservations";
import type { InventoryTx } from "../store/database";
import { ensureStockLevel, upsertCatalogProduct } from "../store/stockStore";

/** Whether the order of a status change had shipped before it: it carries a shipment, or it leaves SHIPPED or DELIVERED. */
function hadShipped(data: EventData<"orders.order.status_changed">): boolean {
  return data.shipment !== null || data.from === "SHIPPED" || data.from === "DELIVERED";
}

/** Every event the inventory service reacts to. */
export const inventoryEventHandlers = [
  onEvent<InventoryTx, "catalog.product.created">("catalog.product.created", async (event, tx) => {
    const { productId, sku, name } = event.data;
    await ensureStockLevel(tx, productId);
    await upsertCatalogProduct(tx, { productId, sku, name, archived: false });
  }),
  // The checkout saga: reserve an order's lines when it is placed, all or none.
  onEvent<InventoryTx, "orders.order.placed">("orders.order.placed", async (event, tx, emit) => {
    const { orderId, lines } = event.data;
    const outcome = await reserveOrder(tx, emit, orderId, lines);
    if (outcome.kind === "reserved") emit("inventory.reservation.succeeded", { orderId });
    if (outcome.kind === "insufficient") {
      emit("inventory.reservation.rejected", {
        orderId,
        productId: outcome.productId,
        requested: outcome.requested,
        available: outcome.available,
      });
    }
  }),
  // A cancelled order gives its stock back, and so does one refunded in full before it shipped; a
  // shipped one takes its stock out of the warehouse. A full refund after shipping deducts too:
  // its "shipped" may not have been applied yet (it failed once and is redelivered later), and
  // the goods have left all the same. Deducting only turns what is still reserved into a
  // deduction, so the late "shipped" then finds nothing left to do.
  onEvent<InventoryTx, "orders.order.status_changed">(
    "orders.order.status_changed",
    async (event, tx, emit) => {
      const { orderId, status, cancellationReason } = event.data;
      if (status === "CANCELLED")
        await releaseOrder(tx, emit, orderId, `order cancelled (${cancellationReason ?? "no reason"})`);
      if (status === "REFUNDED") {
        if (hadShipped(event.data)) await deductOrder(tx, emit, orderId);
        else await releaseOrder(tx, emit, orderId, "order refunded in full");
      }
      if (status === "SHIPPED") await deductOrder(tx, emit, orderId);
    },
    { appliesTo: (event) => ["CANCELLED", "REFUNDED", "SHIPPED"].includes(event.data.status) },
  ),
  onEvent<InventoryTx, "catalog.product.updated">("catalog.product.updated", async (event, tx) => {
    const { productId, sku, name, archived } = event.data;
    await ensureStockLevel(tx, productId);
    await upsertCatalogProduct(tx, { productId, sku, name, archived });
  }),
];
