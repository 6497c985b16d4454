import { onEvent } from "../../common/events/eventConsumer";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import { productsPrivacy } from "../domain/privacy";
import type { EventEnvelope } from "../../common/events/envelope";
import { recordAvailability, type AvailabilityFact } from "../store/availabilityStore";
import type { ProductsTx } from "../store/database";

function availabilityOf({ data }: EventEnvelope<"inventory.stock.changed">): AvailabilityFact {
  return { variantId: data.variantId ?? data.productId, available: data.available, version: data.version };
}

/** Every event the products service reacts to. */
export const productsEventHandlers = [
  // The availability read model, per variant: newer versions win, so late or repeated events
  // change nothing. Older events name only the product, whose one variant has its id. A batch of
  // events is one statement.
  onEvent<ProductsTx, "inventory.stock.changed">(
    "inventory.stock.changed",
    (event, db) => recordAvailability(db, [availabilityOf(event)]),
    { idempotentByVersion: true, handleBatch: (events, db) => recordAvailability(db, events.map(availabilityOf)) },
  ),
  // Privacy requests: the person's reviews exported, or unlinked from them.
  ...privacyEventHandlers("catalog", productsPrivacy),
];
