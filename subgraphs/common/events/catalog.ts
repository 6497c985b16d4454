import { z } from "zod";

const money = z.object({ amount: z.string().regex(/^-?\d+\.\d{2}$/), currency: z.string().length(3) });

/**
 * Every domain event, by type, with the shape of its `data`. Events are validated against this
 * catalog when they are written to the outbox and again when a consumer receives them.
 * A type is `<domain>.<aggregate>.<fact>`; the domain names the stream it travels on.
 */
export const eventCatalog = {
  "users.user.registered": z.object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(["CUSTOMER", "ADMIN"])),
  }),
  /** A user's name, email or roles changed; carries the new values of all three. */
  "users.user.updated": z.object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(["CUSTOMER", "ADMIN"])),
  }),
  /**
   * Carries the reset token itself, because the email that notifications sends must contain it.
   * The users service keeps only its hash; the token is single-use and expires with `expiresAt`.
   */
  "users.password_reset.requested": z.object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    token: z.string().min(32),
    expiresAt: z.iso.datetime(),
  }),
  "catalog.product.created": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    categoryId: z.uuid().nullable(),
  }),
  /** Any change to a product, archiving included; carries the product as it now is. */
  "catalog.product.updated": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    categoryId: z.uuid().nullable(),
    archived: z.boolean(),
  }),
  /** A product's stock after a change; `version` rises with every change of that product. */
  "inventory.stock.changed": z.object({
    productId: z.uuid(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lowStockThreshold: z.number().int(),
    version: z.number().int(),
    kind: z.enum(["ADJUSTMENT", "RESERVATION", "RELEASE", "DEDUCTION"]),
  }),
  /** Availability fell to or below the threshold; once per crossing. */
  "inventory.stock.low": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    available: z.number().int(),
    threshold: z.number().int(),
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
