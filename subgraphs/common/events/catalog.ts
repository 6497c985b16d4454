import { z } from "zod";

const money = z.object({ amount: z.string().regex(/^-?\d+\.\d{2}$/), currency: z.string().length(3) });

/**
 * Every domain event, by type, with the shape of its `data`. Events are validated against this
 * catalog when they are written to the outbox and again when a consumer receives them.
 * A type is `<domain>.<aggregate>.<fact>`; the domain names the stream it travels on.
 */
export const eventCatalog = {
  "catalog.product.created": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    categoryId: z.uuid().nullable(),
  }),
} as const;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]>;

/** Streams, one per publishing domain; `deadletter` holds events that consumers gave up on. */
export const eventDomains = ["users", "catalog", "inventory", "orders", "payments", "notifications"] as const;
export type EventDomain = (typeof eventDomains)[number];

export function domainOf(type: EventType): EventDomain {
  return type.slice(0, type.indexOf(".")) as EventDomain;
}

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(eventCatalog, value);
}
