import type { NotificationChannel } from "../generated/prisma/client";
import type { VariableFields } from "./engine/check";
import type { TemplateScope } from "./engine/render";

export const notificationKinds = [
  "WELCOME",
  "PASSWORD_RESET",
  "EMAIL_VERIFICATION",
  "EMAIL_CHANGE_CONFIRMATION",
  "EMAIL_CHANGE_NOTICE",
  "PHONE_VERIFICATION",
  "ORDER_CONFIRMED",
  "ORDER_CANCELLED",
  "ORDER_SHIPPED",
  "ORDER_DELIVERED",
  "ORDER_REFUNDED",
  "ORDER_EDITED",
  "PARCEL_SHIPPED",
  "PARCEL_OUT_FOR_DELIVERY",
  "PARCEL_DELIVERED",
  "PARCEL_EXCEPTION",
  "RETURN_APPROVED",
  "RETURN_REJECTED",
  "RETURN_RECEIVED",
  "REFUND_ISSUED",
  "LOW_STOCK",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const templateChannels = ["IN_APP", "EMAIL", "SMS", "PUSH"] as const satisfies readonly NotificationChannel[];
export type OutgoingChannel = Exclude<NotificationChannel, "IN_APP">;

/** What a notification is about, which decides which preferences apply. */
export type Topic = "account" | "security" | "order" | "alert";

/**
 * Stands where a secret goes in a message (a reset or verification link, a confirmation code).
 * The stored message keeps this text, so what the inbox and the back office can read says that a
 * secret was sent; the secret itself is put in only in the copy handed to the transport.
 */
export const linkPlaceholder = "[link sent by email, not kept]";
export const codePlaceholder = "[code sent by text message, not kept]";

/** A kind of message that carries a secret, on one channel, at one value of its template. */
export interface SecretSlot {
  channel: OutgoingChannel;
  /** The value's full path (`link`, `verification.link`, `code`); a template of that channel must use it. */
  path: string;
  placeholder: string;
}

export interface KindDefinition {
  topic: Topic;
  /** The values its templates may use (the secret's value only on the secret's channel). */
  variables: VariableFields;
  secret?: SecretSlot;
  /** Values to preview its templates with. */
  sample: TemplateScope;
}

const text = (description: string) => ({ kind: "text", description }) as const;
const until = text("Until when the link or code works, such as `Mon, 23 Nov 2026 11:00:00 GMT`.");
const name = text("The name the user goes by.");
const link = text("Where the secret link goes: it is put in only as the email is sent.");

const order = {
  kind: "object",
  description: "The order.",
  fields: {
    number: text("Its number, such as `K7M-4PQ2X`."),
    total: text("Its total with currency, such as `49.00 USD`."),
    lines: {
      kind: "list",
      description:
        "Its lines; inside `{{#order.lines}}…{{/order.lines}}` write `{{name}}`, `{{quantity}}`, `{{unitPrice}}`.",
      item: {
        name: text("The product's name."),
        quantity: text("How many."),
        unitPrice: text("The price of one, with currency."),
      },
    },
    shipment: {
      kind: "object",
      description:
        "Its shipment, once shipped; inside `{{#order.shipment}}…{{/order.shipment}}` write `{{carrier}}`, `{{trackingNumber}}`.",
      fields: { carrier: text("The carrier."), trackingNumber: text("The tracking number.") },
    },
    cancellationReason: text("Why it was cancelled, in words (cancelled orders)."),
  },
} as const;

const sampleOrder: TemplateScope = {
  number: "K7M-4PQ2X",
  total: "49.00 USD",
  lines: [
    { name: "Desk Lamp", quantity: "2", unitPrice: "19.50 USD" },
    { name: "Bulb <E27>", quantity: "1", unitPrice: "10.00 USD" },
  ],
  shipment: { carrier: "UPS", trackingNumber: "1Z999AA10123456784" },
  cancellationReason: "the payment was declined",
};
const sampleUntil = "Mon, 23 Nov 2026 11:00:00 GMT";

const orderKind: KindDefinition = { topic: "order", variables: { order }, sample: { order: sampleOrder } };

const orderNumber = {
  kind: "object",
  description: "The order.",
  fields: { number: text("Its number, such as `K7M-4PQ2X`.") },
} as const;
const unitLines = {
  kind: "list",
  description: "Its lines; inside the section write `{{name}}`, `{{quantity}}`.",
  item: { name: text("The product's name."), quantity: text("How many.") },
} as const;

/** A parcel of an order (a fulfillment) and where it is. */
const parcel = {
  kind: "object",
  description:
    "The parcel; inside `{{#parcel}}…{{/parcel}}` write `{{carrier}}`, `{{trackingNumber}}`, `{{trackingUrl}}`, and list `{{#lines}}…{{/lines}}`.",
  fields: {
    carrier: text("The carrier's name."),
    trackingNumber: text("The tracking number."),
    trackingUrl: text(
      "Where the customer follows it at the carrier, when the carrier has a tracking link (use it in `{{#parcel.trackingUrl}}…{{/parcel.trackingUrl}}`).",
    ),
    lines: unitLines,
  },
} as const;
const parcelOrder = {
  kind: "object",
  description: "The order.",
  fields: {
    number: text("Its number, such as `K7M-4PQ2X`."),
    moreToCome: text(
      "Set when more of the order is still to ship (or to arrive): use it in `{{#order.moreToCome}}…{{/order.moreToCome}}`.",
    ),
  },
} as const;
const sampleParcel: TemplateScope = {
  carrier: "UPS",
  trackingNumber: "1Z999AA10123456784",
  trackingUrl: "https://www.ups.com/track?tracknum=1Z999AA10123456784",
  lines: [{ name: "Desk Lamp", quantity: "2" }],
};
const parcelKind: KindDefinition = {
  topic: "order",
  variables: { order: parcelOrder, parcel },
  sample: { order: { number: "K7M-4PQ2X", moreToCome: true }, parcel: sampleParcel },
};

/** A return of some of an order's units. */
const returnFields = {
  reason: text("Why the customer returns them, in their words."),
  lines: unitLines,
} as const;
const returnKind = (
  extra: Record<string, ReturnType<typeof text>>,
  sample: Record<string, string>,
): KindDefinition => ({
  topic: "order",
  variables: {
    order: orderNumber,
    return: {
      kind: "object",
      description: "The return; inside `{{#return}}…{{/return}}` write its values, and list `{{#lines}}…{{/lines}}`.",
      fields: { ...returnFields, ...extra },
    },
  },
  sample: {
    order: { number: "K7M-4PQ2X" },
    return: { reason: "Too small", lines: [{ name: "Desk Lamp", quantity: "1" }], ...sample },
  },
});

export const kindDefinitions: Record<NotificationKind, KindDefinition> = {
  WELCOME: {
    topic: "account",
    variables: {
      name,
      verification: {
        kind: "object",
        description:
          "The email-verification link, when the account has one to follow; inside `{{#verification}}…{{/verification}}` write `{{until}}` and, by email, `{{link}}`.",
        fields: { until, link },
      },
    },
    secret: { channel: "EMAIL", path: "verification.link", placeholder: linkPlaceholder },
    sample: { name: "Ada Lovelace", verification: { until: sampleUntil, link: linkPlaceholder } },
  },
  PASSWORD_RESET: {
    topic: "security",
    variables: { name, until, link },
    secret: { channel: "EMAIL", path: "link", placeholder: linkPlaceholder },
    sample: { name: "Ada Lovelace", until: sampleUntil, link: linkPlaceholder },
  },
  EMAIL_VERIFICATION: {
    topic: "security",
    variables: { name, until, link },
    secret: { channel: "EMAIL", path: "link", placeholder: linkPlaceholder },
    sample: { name: "Ada Lovelace", until: sampleUntil, link: linkPlaceholder },
  },
  EMAIL_CHANGE_CONFIRMATION: {
    topic: "security",
    variables: { name, newEmail: text("The new address."), until, link },
    secret: { channel: "EMAIL", path: "link", placeholder: linkPlaceholder },
    sample: { name: "Ada Lovelace", newEmail: "ada@new.example", until: sampleUntil, link: linkPlaceholder },
  },
  EMAIL_CHANGE_NOTICE: {
    topic: "security",
    variables: { name, currentEmail: text("The current address."), newEmail: text("The new address.") },
    sample: { name: "Ada Lovelace", currentEmail: "ada@old.example", newEmail: "ada@new.example" },
  },
  PHONE_VERIFICATION: {
    topic: "security",
    variables: {
      name,
      phoneNumber: text("The mobile number being confirmed."),
      until,
      code: text("Where the confirmation code goes: it is put in only as the text message is sent."),
    },
    secret: { channel: "SMS", path: "code", placeholder: codePlaceholder },
    sample: { name: "Ada Lovelace", phoneNumber: "+14155550123", until: sampleUntil, code: codePlaceholder },
  },
  ORDER_CONFIRMED: orderKind,
  ORDER_CANCELLED: orderKind,
  ORDER_SHIPPED: orderKind,
  ORDER_DELIVERED: orderKind,
  ORDER_REFUNDED: orderKind,
  ORDER_EDITED: {
    topic: "order",
    variables: {
      order: orderNumber,
      edit: {
        kind: "object",
        description:
          "The edit; inside `{{#edit}}…{{/edit}}` write `{{previousTotal}}`, `{{total}}`, `{{refund}}`, and list `{{#lines}}…{{/lines}}`.",
        fields: {
          previousTotal: text("The order's total before, with currency, such as `49.00 USD`."),
          total: text("The order's total now, with currency."),
          refund: text("What is refunded for it, with currency (set only when it is more than zero)."),
          lines: {
            kind: "list",
            description:
              "The lines it changed; inside the section write `{{name}}`, `{{previousQuantity}}`, `{{quantity}}`.",
            item: {
              name: text("The product's name."),
              previousQuantity: text("How many before."),
              quantity: text("How many now (0: removed)."),
            },
          },
        },
      },
    },
    sample: {
      order: { number: "K7M-4PQ2X" },
      edit: {
        previousTotal: "49.00 USD",
        total: "29.50 USD",
        refund: "19.50 USD",
        lines: [{ name: "Desk Lamp", previousQuantity: "2", quantity: "1" }],
      },
    },
  },
  PARCEL_SHIPPED: parcelKind,
  PARCEL_OUT_FOR_DELIVERY: parcelKind,
  PARCEL_DELIVERED: parcelKind,
  PARCEL_EXCEPTION: parcelKind,
  RETURN_APPROVED: returnKind(
    {
      labelReference: text("The return label to send the parcel back with."),
      exchangeOrder: text(
        "For an exchange: the number of the order holding the replacements (set only for an exchange).",
      ),
    },
    { labelReference: "RL-2026-000123", exchangeOrder: "" },
  ),
  RETURN_REJECTED: returnKind({ rejectionReason: text("Why it was refused.") }, { rejectionReason: "Worn" }),
  RETURN_RECEIVED: returnKind(
    {
      refund: text("What is refunded for it, with currency, such as `19.50 USD` (set only when it is more than zero)."),
      restocked: text("Set when the units went back into stock."),
      exchangeOrder: text("For an exchange: the number of the order its refund pays for (set only for an exchange)."),
    },
    { refund: "19.50 USD", restocked: "yes", exchangeOrder: "" },
  ),
  REFUND_ISSUED: {
    topic: "order",
    variables: {
      order: orderNumber,
      refund: {
        kind: "object",
        description:
          "The refund; inside `{{#refund}}…{{/refund}}` write `{{amount}}`, `{{refundedTotal}}`, `{{reason}}`.",
        fields: {
          amount: text("What was refunded now, with currency, such as `19.50 USD`."),
          refundedTotal: text("Everything refunded of the order so far, with currency."),
          reason: text("Why, when the back office said (set only then)."),
          forReturn: text("Set when the refund settles a return."),
        },
      },
    },
    sample: {
      order: { number: "K7M-4PQ2X" },
      refund: { amount: "19.50 USD", refundedTotal: "19.50 USD", reason: "Damaged in transit", forReturn: "" },
    },
  },
  LOW_STOCK: {
    topic: "alert",
    variables: {
      product: {
        kind: "object",
        description: "The product.",
        fields: { name: text("Its name."), sku: text("Its SKU.") },
      },
      available: text("How many are available now."),
      threshold: text("The product's low-stock threshold."),
    },
    sample: { product: { name: "Desk Lamp", sku: "LAMP-1" }, available: "2", threshold: "5" },
  },
};

/** Kinds a user may choose channels for: everything but account security, which always goes by email. */
export const configurableKinds = notificationKinds.filter((kind) => kindDefinitions[kind].topic !== "security");

/** The secret's value left out of the values of every channel but the secret's own. */
function withoutPath(fields: VariableFields, path: string): VariableFields {
  const [first, ...rest] = path.split(".");
  const spec = fields[first!];
  if (!spec) return fields;
  if (rest.length === 0) return Object.fromEntries(Object.entries(fields).filter(([key]) => key !== first));
  if (spec.kind !== "object") return fields;
  return { ...fields, [first!]: { ...spec, fields: withoutPath(spec.fields, rest.join(".")) } };
}

/** The values a template of `kind` on `channel` may use. */
export function variablesOf(kind: NotificationKind, channel: NotificationChannel): VariableFields {
  const { variables, secret } = kindDefinitions[kind];
  return secret && secret.channel !== channel ? withoutPath(variables, secret.path) : variables;
}
