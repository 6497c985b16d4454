import type { EventData } from "../../common/events/catalog";
import type { OrdersReader, OrdersTx } from "./database";

/**
 * The read model of inventory's stock locations: the location as the event says it is at its
 * version; an older or repeated fact (the event arrived late, or twice) changes nothing.
 */
export async function recordLocation(tx: OrdersTx, location: EventData<"inventory.location.changed">): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO stock_locations (id, name, active, updated_at)
    VALUES (${location.locationId}::uuid, ${location.name}, ${location.active}, ${new Date(location.updatedAt)})
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at
     WHERE stock_locations.updated_at < EXCLUDED.updated_at`;
}

/** A stock location as orders knows it, or null for an id inventory never announced. */
export function findLocation(db: OrdersReader, id: string) {
  return db.stockLocation.findUnique({ where: { id } });
}
