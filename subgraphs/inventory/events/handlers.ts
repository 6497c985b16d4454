import { onEvent } from "../../common/events/eventConsumer";
import type { InventoryTx } from "../store/database";
import { ensureStockLevel } from "../store/stockStore";

/** Every event the inventory service reacts to. */
export const inventoryEventHandlers = [
  onEvent<InventoryTx, "catalog.product.created">("catalog.product.created", async (event, tx) => {
    await ensureStockLevel(tx, event.data.productId);
  }),
];
