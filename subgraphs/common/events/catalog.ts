import { z } from "zod";

const money = z.object({ amount: z.string().regex(/^-?\d+\.\d{2}$/), currency: z.string().length(3) });
export const orderStatus = z.enum([
  "PENDING",
  "AWAITING_PAYMENT",
  "CONFIRMED",
  "SHIPPED",
  "DELIVERED",
  "CANCELLED",
  "REFUNDED",
]);
const cancellationReason = z.enum([
  "OUT_OF_STOCK",
  "PAYMENT_DECLINED",
  "PAYMENT_TIMEOUT",
  "CANCELLED_BY_CUSTOMER",
  "CANCELLED_BY_ADMIN",
]);
const orderLine = z.object({ productId: z.uuid(), quantity: z.number().int().positive(), unitPrice: money });

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
    /** The product's own version (its last change), which read models compare; absent in older events. */
    updatedAt: z.iso.datetime().optional(),
  }),
  /** Any change to a product, archiving included; carries the product as it now is. */
  "catalog.product.updated": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    categoryId: z.uuid().nullable(),
    archived: z.boolean(),
    /** The product's own version (its last change), which read models compare; absent in older events. */
    updatedAt: z.iso.datetime().optional(),
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
  /** Every line of the order is reserved. */
  "inventory.reservation.succeeded": z.object({ orderId: z.uuid() }),
  /** The order could not be reserved in full; nothing of it is reserved. */
  "inventory.reservation.rejected": z.object({
    orderId: z.uuid(),
    productId: z.uuid(),
    requested: z.number().int(),
    available: z.number().int(),
  }),
  /** The customer's order exists; inventory reserves its lines next. */
  "orders.order.placed": z.object({
    orderId: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    lines: z.array(orderLine).min(1),
    total: money,
  }),
  /** An order moved from one status to another; one event per transition, in order. */
  "orders.order.status_changed": z.object({
    orderId: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    from: orderStatus.nullable(),
    status: orderStatus,
    cancellationReason: cancellationReason.nullable(),
    reason: z.string().nullable(),
    total: money,
    /** What the order holds, for receipts and emails. */
    lines: z.array(z.object({ productId: z.uuid(), name: z.string(), quantity: z.number().int(), unitPrice: money })),
    shipment: z.object({ carrier: z.string(), trackingNumber: z.string() }).nullable(),
    at: z.iso.datetime(),
  }),
  /**
   * Stock is reserved: the payment can be captured, until `deadline`, with the provider's token
   * of the customer's card or with one of their saved payment methods (exactly one of the two).
   */
  "orders.payment.requested": z.object({
    orderId: z.uuid(),
    customerId: z.uuid(),
    amount: money,
    /** Null when the order pays with a saved method. */
    paymentToken: z.string().nullable(),
    /** The customer's saved payment method (its id in payments); absent in older events. */
    paymentMethodId: z.uuid().nullable().optional(),
    deadline: z.iso.datetime(),
  }),
  "payments.payment.captured": z.object({ orderId: z.uuid(), paymentId: z.uuid(), amount: money }),
  /**
   * The payment will not be captured: declined (`failureReason` is a client-safe code such as
   * `card_declined`, never the provider's own words), the provider did not answer in time, or the
   * order was cancelled first.
   */
  "payments.payment.failed": z.object({
    orderId: z.uuid(),
    paymentId: z.uuid(),
    outcome: z.enum(["DECLINED", "TIMED_OUT", "ABANDONED"]),
    failureReason: z.string(),
  }),
  "payments.payment.refunded": z.object({
    orderId: z.uuid(),
    paymentId: z.uuid(),
    amount: money,
    refundedTotal: money,
    fullyRefunded: z.boolean(),
    reason: z.string().nullable(),
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
