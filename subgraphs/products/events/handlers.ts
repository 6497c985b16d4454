import { onEvent } from "../../common/events/eventConsumer";
import type { ProductsTx } from "../store/database";

/** Every event the products service reacts to. */
export const productsEventHandlers = [
  // The availability read model: newer versions win, so late or repeated events change nothing.
  onEvent<ProductsTx, "inventory.stock.changed">(
    "inventory.stock.changed",
    async (event, tx) => {
      const { productId, available, version } = event.data;
      await tx.$executeRaw`
      INSERT INTO product_availability (product_id, available, version, updated_at)
      SELECT ${productId}::uuid, ${available}, ${version}, now()
       WHERE EXISTS (SELECT 1 FROM products WHERE id = ${productId}::uuid)
      ON CONFLICT (product_id) DO UPDATE
         SET available = EXCLUDED.available, version = EXCLUDED.version, updated_at = now()
       WHERE product_availability.version < EXCLUDED.version`;
    },
    { idempotentByVersion: true },
  ),
];
