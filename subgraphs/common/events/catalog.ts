import { z } from "zod";
import { permissions } from "../auth/permissions";
import { auditRecordSchema } from "../audit/auditEntry";

const money = z.object({ amount: z.string().regex(/^-?\d+\.\d{2}$/), currency: z.string().length(3) });
export const orderStatus = z.enum([
  "PENDING",
  "AWAITING_PAYMENT",
  "CONFIRMED",
  "PARTIALLY_SHIPPED",
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
const fulfillmentStatus = z.enum(["SHIPPED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"]);
/**
 * For a guest's order, the email it was placed with: where its messages go, as `customerId` (the
 * guest's cart) is no account. Absent for a customer's order and in older events.
 */
const guestEmail = z.string().optional();
/** Units of an order line in a parcel. */
const parcelLine = z.object({
  orderItemId: z.uuid(),
  productId: z.uuid(),
  variantId: z.uuid(),
  name: z.string(),
  quantity: z.number().int().positive(),
});
/** What every `orders.return.*` event says of the return. */
const returnFacts = z.object({
  returnId: z.uuid(),
  orderId: z.uuid(),
  customerId: z.uuid(),
  number: z.string(),
  reason: z.string(),
  lines: z.array(
    z.object({
      orderItemId: z.uuid(),
      productId: z.uuid(),
      variantId: z.uuid(),
      name: z.string(),
      quantity: z.number().int().positive(),
    }),
  ),
  at: z.iso.datetime(),
  guestEmail,
  /**
   * For an exchange: the replacements sent instead of returned units (`orderItemId`: the line
   * they replace). Absent for a plain return and in older events.
   */
  replacements: z
    .array(
      z.object({
        orderItemId: z.uuid(),
        productId: z.uuid(),
        variantId: z.uuid(),
        quantity: z.number().int().positive(),
      }),
    )
    .optional(),
});
const orderLine = z.object({
  productId: z.uuid(),
  /** The variant ordered; absent in events written before variants existed (the product's one variant, same id). */
  variantId: z.uuid().optional(),
  quantity: z.number().int().positive(),
  unitPrice: money,
});
export const productStatus = z.enum(["DRAFT", "ACTIVE", "ARCHIVED"]);
const selectedOption = z.object({ name: z.string(), value: z.string() });
/** One variant of a product as the catalog events carry it: what other services keep of it. */
export const variantFacts = z.object({
  variantId: z.uuid(),
  sku: z.string(),
  /** `M / Red`, or `Default Title` for a product without options. */
  title: z.string(),
  price: money,
  selectedOptions: z.array(selectedOption),
  /** Withdrawn from sale on its own. */
  archived: z.boolean(),
  /** Its first picture (or the product's). */
  image: z.object({ url: z.string(), alt: z.string() }).nullable(),
  /** Shipping weight of one unit in grams; null when unknown, absent in older events. */
  weightGrams: z.number().int().nullable().optional(),
});

/** How a product is taxed; absent in events written before tax categories: `STANDARD`. */
export const taxCategory = z.enum(["STANDARD", "REDUCED", "ZERO"]);

/**
 * A link's secret sealed for the notifications service (`subgraphs/common/secrets`): only
 * ciphertext travels, with the time after which it is no use.
 */
const sealedLink = z.object({
  sealed: z.string().regex(/^v1\./),
  expiresAt: z.iso.datetime(),
});

/** A privacy request (an export or an erasure of one person's data), as every service hears of it. */
const privacyRequest = z.object({ requestId: z.uuid(), userId: z.uuid() });
/**
 * One service's answer to an export: what it holds about the person, as plain JSON, bounded in
 * size by the service (`subgraphs/common/privacy/privacyParts.ts`).
 */
const privacyExportPart = privacyRequest.extend({ data: z.record(z.string(), z.unknown()) });
/** One service's answer to an erasure: what it erased or anonymised, counted by kind of record. */
const privacyErasureDone = privacyRequest.extend({
  counts: z.record(z.string(), z.number().int().nonnegative()),
});

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
    /**
     * The link that verifies the new account's email, for the welcome email; absent for an account
     * the service makes itself (the admin) and in events from before email verification.
     */
    verification: sealedLink.optional(),
  }),
  /** A user's name, email or roles changed; carries the new values of all three. */
  "users.user.updated": z.object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(["CUSTOMER", "ADMIN"])),
  }),
  /**
   * The user proved they receive mail at `email` (a verification or email-change link). Only
   * after this may anything be linked to the account by its email (guest orders, an identity
   * provider's account).
   */
  "users.user.email_verified": z.object({
    userId: z.uuid(),
    email: z.string(),
  }),
  /**
   * A password reset was asked for; `link` carries the single-use token, sealed. The users
   * service keeps only its hash. `link` is absent only in events written before tokens were
   * sealed (they carried the token in clear, which is no longer read): those are not mailed.
   */
  "users.password_reset.requested": z.object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    link: sealedLink.optional(),
  }),
  /** A new link to verify the account's current email was asked for (a resend). */
  "users.email_verification.requested": z.object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    link: sealedLink,
  }),
  /**
   * The user asked to move their account to `newEmail`: `link` (sealed) goes to the new address
   * to confirm it, and a notice to `currentEmail`. The email changes only when the link is followed.
   */
  "users.email_change.requested": z.object({
    userId: z.uuid(),
    name: z.string(),
    currentEmail: z.string(),
    newEmail: z.string(),
    link: sealedLink,
  }),
  /**
   * The user asked to make `phoneNumber` their mobile number: `code` (sealed, 6 digits) goes to
   * that number by text message, and a notice to the account's email. The number becomes the
   * user's only when the code is entered (`users.contact_channels.changed` then says so).
   */
  "users.phone_verification.requested": z.object({
    userId: z.uuid(),
    name: z.string(),
    phoneNumber: z.string(),
    code: sealedLink,
  }),
  /**
   * Where a user's text messages and push notifications go now: the confirmed mobile number and
   * every push device, all of them (a consumer replaces what it knew). Push tokens travel in clear:
   * the notifications service needs them to send, and they only let one send to that app.
   */
  "users.contact_channels.changed": z.object({
    userId: z.uuid(),
    phoneNumber: z.string().nullable(),
    pushDevices: z.array(
      z.object({ deviceId: z.uuid(), token: z.string(), platform: z.enum(["IOS", "ANDROID", "WEB"]) }),
    ),
  }),
  /** An API key was created for a service account; never its secret, which only its creator saw. */
  "users.api_key.created": z.object({
    apiKeyId: z.uuid(),
    name: z.string(),
    permissions: z.array(z.enum(permissions)),
    requestsPerMinute: z.number().int().positive(),
    createdById: z.uuid(),
  }),
  /** An API key was revoked: it works nowhere from now on. */
  "users.api_key.revoked": z.object({ apiKeyId: z.uuid(), revokedById: z.uuid() }),
  /**
   * The user (or an operator with the CUSTOMERS permission) asked for a copy of everything held
   * about them: every service answers with `<domain>.privacy.export_part`.
   */
  "users.privacy.export_requested": privacyRequest,
  /**
   * The person's data is to be erased: every service anonymises what it holds about them (keeping
   * what the books need) and answers with `<domain>.privacy.erasure_done`. Irreversible.
   */
  "users.privacy.erasure_requested": privacyRequest,
  "catalog.privacy.export_part": privacyExportPart,
  "catalog.privacy.erasure_done": privacyErasureDone,
  "inventory.privacy.export_part": privacyExportPart,
  "inventory.privacy.erasure_done": privacyErasureDone,
  "orders.privacy.export_part": privacyExportPart,
  "orders.privacy.erasure_done": privacyErasureDone,
  "payments.privacy.export_part": privacyExportPart,
  "payments.privacy.erasure_done": privacyErasureDone,
  "notifications.privacy.export_part": privacyExportPart,
  "notifications.privacy.erasure_done": privacyErasureDone,
  /**
   * A product was added, with its one variant. `sku` and `price` are its default variant's (the
   * first for sale) and its lowest price; `variants` lists every variant.
   */
  "catalog.product.created": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    categoryId: z.uuid().nullable(),
    /** The product's own version (its last change, or its variants'), which read models compare; absent in older events. */
    updatedAt: z.iso.datetime().optional(),
    /** Absent in events written before products had a status: `ACTIVE` then. */
    status: productStatus.optional(),
    taxCategory: taxCategory.optional(),
    /**
     * Every variant of the product, archived ones too, as they are at `updatedAt`. Absent in
     * events written before variants existed: the product is then its one variant, whose id is
     * the product's.
     */
    variants: z.array(variantFacts).max(100).optional(),
  }),
  /**
   * Any change to a product or to one of its variants (options, prices, archiving, status);
   * carries the product and all its variants as they now are, with the product's version.
   */
  "catalog.product.updated": z.object({
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    categoryId: z.uuid().nullable(),
    /** Whether the product is withdrawn from sale (`status` is `ARCHIVED`). */
    archived: z.boolean(),
    /** The product's own version (its last change, or its variants'), which read models compare; absent in older events. */
    updatedAt: z.iso.datetime().optional(),
    /** Absent in older events: `ARCHIVED` or `ACTIVE` by `archived` then. */
    status: productStatus.optional(),
    taxCategory: taxCategory.optional(),
    /** As in `catalog.product.created`: every variant, or absent in older events. */
    variants: z.array(variantFacts).max(100).optional(),
  }),
  /**
   * A variant's stock after a change, all locations together; `version` rises with every change
   * of that variant. Transfers between locations change no total and are not announced.
   */
  "inventory.stock.changed": z.object({
    productId: z.uuid(),
    /** Absent in events written before variants existed: the product's one variant, same id. */
    variantId: z.uuid().optional(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lowStockThreshold: z.number().int(),
    version: z.number().int(),
    kind: z.enum(["ADJUSTMENT", "RESERVATION", "RELEASE", "DEDUCTION"]),
  }),
  /**
   * A stock location was added or changed (name, active); `updatedAt` is its version, which read
   * models compare. Orders keeps them to check where a parcel ships from.
   */
  "inventory.location.changed": z.object({
    locationId: z.uuid(),
    name: z.string(),
    active: z.boolean(),
    updatedAt: z.iso.datetime(),
  }),
  /** Every line of the order is reserved. */
  "inventory.reservation.succeeded": z.object({ orderId: z.uuid() }),
  /** The order could not be reserved in full; nothing of it is reserved. */
  "inventory.reservation.rejected": z.object({
    orderId: z.uuid(),
    productId: z.uuid(),
    /** The variant short of stock; absent in older events. */
    variantId: z.uuid().optional(),
    requested: z.number().int(),
    available: z.number().int(),
  }),
  /** The customer's order exists; inventory reserves its lines next. */
  "orders.order.placed": z.object({
    orderId: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    lines: z.array(orderLine).min(1),
    /** What the customer pays, in minor units with its currency: exactly what payments captures. */
    total: money,
    /** The shipping method and its price before discounts; null without one; absent in older events. */
    shipping: z.object({ method: z.string(), amount: money }).nullable().optional(),
    /** The order's subtotal, discounts and tax; absent in older events. */
    subtotal: money.optional(),
    discount: money.optional(),
    tax: money.optional(),
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
    /** What the order holds, for receipts and emails: `name` is the product's, with the variant's title for a product with options. */
    lines: z.array(
      z.object({
        productId: z.uuid(),
        variantId: z.uuid().optional(),
        sku: z.string().optional(),
        name: z.string(),
        quantity: z.number().int(),
        unitPrice: money,
      }),
    ),
    shipment: z.object({ carrier: z.string(), trackingNumber: z.string() }).nullable(),
    at: z.iso.datetime(),
    /**
     * For a guest's order, the email it was placed with: where its messages go, as `customerId`
     * (the guest's cart) is no account. Absent for a customer's order and in older events.
     */
    guestEmail: z.string().optional(),
    /**
     * The order ships in fulfillments, each announced by `orders.fulfillment.created`, which is
     * where inventory deducts its stock: a SHIPPED status then deducts nothing more. Absent in
     * events written before fulfillments existed (SHIPPED then deducts every reservation).
     */
    shipsInFulfillments: z.boolean().optional(),
  }),
  /**
   * A guest's order now belongs to the account that verified the guest's email: `customerId`
   * replaces `previousCustomerId` (the guest's cart) as the order's owner.
   */
  "orders.order.customer_attached": z.object({
    orderId: z.uuid(),
    customerId: z.uuid(),
    previousCustomerId: z.uuid(),
  }),
  /**
   * An order was edited before it shipped (lines cancelled or reduced) and priced again:
   * inventory releases the units the lines gave up (`previousQuantity - quantity`), payments
   * refunds `refund` under its key and makes each line's refundable amount follow `paidLines`.
   */
  "orders.order.edited": z.object({
    orderId: z.uuid(),
    editId: z.uuid(),
    customerId: z.uuid(),
    number: z.string(),
    status: orderStatus,
    editedBy: z.enum(["CUSTOMER", "STAFF"]),
    lines: z
      .array(
        z.object({
          orderItemId: z.uuid(),
          productId: z.uuid(),
          variantId: z.uuid(),
          name: z.string(),
          previousQuantity: z.number().int().positive(),
          /** What the line keeps (0: removed). */
          quantity: z.number().int().nonnegative(),
        }),
      )
      .min(1),
    previousTotal: money,
    total: money,
    /** `previousTotal - total`, refunded once under `idempotencyKey` (`edit:<editId>`). */
    refund: z.object({ idempotencyKey: z.string(), amount: money }),
    /** What each remaining order line (`lineId`: its id, or `shipping`) pays of `total` now. */
    paidLines: z.array(z.object({ lineId: z.string(), amount: money })),
    at: z.iso.datetime(),
    guestEmail,
  }),
  /**
   * Some units of an order left in one parcel, from `locationId` (null: from wherever they were
   * reserved); inventory deducts them there.
   */
  "orders.fulfillment.created": z.object({
    orderId: z.uuid(),
    fulfillmentId: z.uuid(),
    customerId: z.uuid(),
    number: z.string(),
    locationId: z.uuid().nullable(),
    carrierName: z.string(),
    trackingNumber: z.string(),
    trackingUrl: z.string().nullable(),
    lines: z.array(parcelLine).min(1),
    /** The order's status once this parcel left (PARTIALLY_SHIPPED or SHIPPED). */
    orderStatus: orderStatus,
    at: z.iso.datetime(),
    guestEmail,
  }),
  /** A parcel's carrier said where it is (IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, EXCEPTION). */
  "orders.fulfillment.updated": z.object({
    orderId: z.uuid(),
    fulfillmentId: z.uuid(),
    customerId: z.uuid(),
    number: z.string(),
    status: fulfillmentStatus,
    carrierName: z.string(),
    trackingNumber: z.string(),
    trackingUrl: z.string().nullable(),
    /** What the parcel holds; absent in older events. */
    lines: z.array(parcelLine).optional(),
    /** The order's status after it (DELIVERED once every parcel is). */
    orderStatus: orderStatus,
    at: z.iso.datetime(),
    guestEmail,
  }),
  /** A customer asked to return delivered lines; the back office decides. */
  "orders.return.requested": returnFacts,
  /**
   * The back office accepted the return; for an exchange, `exchangeOrder` is the new order that
   * sends the replacements (placed now, so inventory holds its stock), absent otherwise.
   */
  "orders.return.approved": returnFacts.extend({
    labelReference: z.string(),
    exchangeOrder: z.object({ orderId: z.uuid(), number: z.string() }).optional(),
  }),
  "orders.return.rejected": returnFacts.extend({ rejectionReason: z.string() }),
  /**
   * The returned units arrived: inventory puts them back at `restockLocationId` (none when null),
   * and payments refunds `refund` under its idempotency key, never more than each line has left.
   */
  "orders.return.received": returnFacts.extend({
    restockLocationId: z.uuid().nullable(),
    refund: z.object({
      idempotencyKey: z.string(),
      amount: money,
      /** The amount by order line (`orderItemId`, or `shipping`). */
      lines: z.array(z.object({ lineId: z.string(), amount: money })),
    }),
    /**
     * For an exchange whose order holds its stock: payments pays `orderId` (its `amount`, by its
     * `lines` as `orders.payment.requested` gives them) from `refund` first, with no card charged,
     * and refunds only the rest; when `refund` cannot cover it, the exchange order's payment fails
     * and the whole refund is made. Absent otherwise.
     */
    exchange: z
      .object({
        orderId: z.uuid(),
        number: z.string(),
        amount: money,
        lines: z.array(z.object({ lineId: z.string(), amount: money })),
        idempotencyKey: z.string(),
      })
      .optional(),
  }),
  /**
   * The order learnt that payments refunded `amount` of it (`payments.payment.refunded`, told with
   * the order's number and owner): for the customer's message. `returnId` names the return it
   * settles, if any; `fullyRefunded` says nothing is left to refund (the order also moves to
   * REFUNDED then, and says so in its own status event).
   */
  "orders.refund.recorded": z.object({
    orderId: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    paymentId: z.uuid(),
    amount: money,
    refundedTotal: money,
    fullyRefunded: z.boolean(),
    reason: z.string().nullable(),
    returnId: z.uuid().nullable(),
    at: z.iso.datetime(),
    guestEmail,
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
    /**
     * What each order line (`lineId`: its id, or `shipping`) pays of `amount`, for the refund
     * ledger; absent in older events (the whole amount is then one line).
     */
    lines: z.array(z.object({ lineId: z.string(), amount: money })).optional(),
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
    /** The refund request's idempotency key (`return:<id>` for a return's); absent in older events. */
    idempotencyKey: z.string().nullable().optional(),
  }),
  /**
   * A return's credit paid for its exchange order (`exchangeOrderId`, whose payment is
   * `exchangePaymentId`): `amount` moved from payment `paymentId` of order `orderId`, with no card
   * charged and nothing given back to the card for it. Told once per return.
   */
  "payments.exchange.paid": z.object({
    orderId: z.uuid(),
    paymentId: z.uuid(),
    returnId: z.uuid(),
    exchangeOrderId: z.uuid(),
    exchangePaymentId: z.uuid(),
    amount: money,
  }),
  /** A variant's availability (all locations) fell to or below its threshold; once per crossing. */
  "inventory.stock.low": z.object({
    productId: z.uuid(),
    /** Absent in older events: the product's one variant. */
    variantId: z.uuid().optional(),
    sku: z.string(),
    name: z.string(),
    available: z.number().int(),
    threshold: z.number().int(),
  }),
  /**
   * A back-office change recorded in the owning service's audit log (in the transaction of the
   * change); the users service keeps every service's entries in the one log the back office reads.
   */
  "catalog.audit.recorded": auditRecordSchema,
  "inventory.audit.recorded": auditRecordSchema,
  "orders.audit.recorded": auditRecordSchema,
  "payments.audit.recorded": auditRecordSchema,
  "notifications.audit.recorded": auditRecordSchema,
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
