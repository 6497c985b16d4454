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
