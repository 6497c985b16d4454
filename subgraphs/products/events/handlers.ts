import { onEvent } from "../../common/events/eventConsumer";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import { productsPrivacy } from "../domain/privacy";
import type { ProductsTx } from "../store/database";

/** Every event the products service reacts to. */
export const productsEventHandlers = [
  // The availability read model, per variant: newer versions win, so late or repeated events
  // change nothing. Older events name only the product, whose one variant has its id.
  onEvent<ProductsTx, "inventory.stock.changed">(
    "inventory.stock.changed",
    async (event, tx) => {
      const { productId, available, version } = event.data;
      const variantId = event.data.variantId ?? productId;
      await tx.$executeRaw`
      INSERT INTO variant_availability (variant_id, product_id, available, version, updated_at)
      SELECT v.id, v.product_id, ${available}, ${version}, now() FROM product_variants v WHERE v.id = ${variantId}::uuid
      ON CONFLICT (variant_id) DO UPDATE
         SET available = EXCLUDED.available, version = EXCLUDED.version, updated_at = now()
       WHERE variant_availability.version < EXCLUDED.version`;
    },
    { idempotentByVersion: true },
  ),
  // Privacy requests: the person's reviews exported, or unlinked from them.
  ...privacyEventHandlers("catalog", productsPrivacy),
];
