import { onEvent } from "../../common/events/eventConsumer";
import type { InventoryTx } from "../store/database";
import { ensureStockLevel, upsertCatalogProduct } from "../store/stockStore";

/** Every event the inventory service reacts to. */
export const inventoryEventHandlers = [
  onEvent<InventoryTx, "catalog.product.created">("catalog.product.created", async (event, tx) => {
    const { productId, sku, name } = event.data;
    await ensureStockLevel(tx, productId);
    await upsertCatalogProduct(tx, { productId, sku, name, archived: false });
  }),
  onEvent<InventoryTx, "catalog.product.updated">("catalog.product.updated", async (event, tx) => {
    const { productId, sku, name, archived } = event.data;
    await ensureStockLevel(tx, productId);
    await upsertCatalogProduct(tx, { productId, sku, name, archived });
  }),
];
