import type { NotificationChannel } from "../generated/prisma/client";
import type { NotificationKind } from "./kinds";

/** A template's sources: the subject, the plain text and (email only) the HTML. */
export interface TemplateSources {
  subject: string;
  text: string;
  html: string | null;
}

/** A kind's default messages: its email, the in-app text (also used by SMS and push unless given their own). */
interface KindDefaults {
  subject: string;
  inApp: string;
  text: string;
  html: string;
  sms?: string;
}

/** The HTML page every default email is laid out in. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
  </head>
  <body style="font-family:sans-serif;line-height:1.5;color:#222">
    ${body}
    <p style="color:#777;font-size:12px">Commerce</p>
  </body>
</html>`;
}

const orderLinesText =
  "{{#order.lines}}  {{quantity}} × {{name}} at {{unitPrice}}\n{{/order.lines}}  Total: {{order.total}}";
const orderLinesHtml = `<table>
      {{#order.lines}}<tr>
        <td>{{quantity}} × {{name}}</td>
        <td>{{unitPrice}}</td>
      </tr>{{/order.lines}}
      <tr>
        <td><strong>Total</strong></td>
        <td><strong>{{order.total}}</strong></td>
      </tr>
    </table>`;

function orderDefaults(subject: string, intro: string, extraText = "", extraHtml = ""): KindDefaults {
  return {
    subject,
    inApp: intro,
    text: `${intro}\n\n${orderLinesText}${extraText}`,
    html: page(subject, `<p>${intro}</p>\n    ${orderLinesHtml}${extraHtml}`),
  };
}

const parcelLinesText = "{{#parcel.lines}}  {{quantity}} × {{name}}\n{{/parcel.lines}}";
const parcelTrackingText =
  "Carrier: {{parcel.carrier}}, tracking number: {{parcel.trackingNumber}}{{#parcel.trackingUrl}}\nFollow it: {{parcel.trackingUrl}}{{/parcel.trackingUrl}}";
const parcelTrackingHtml = `<p>Carrier: {{parcel.carrier}}<br />Tracking number: <strong>{{parcel.trackingNumber}}</strong></p>
    {{#parcel.trackingUrl}}<p><a href="{{parcel.trackingUrl}}">Follow your parcel</a></p>{{/parcel.trackingUrl}}`;
const parcelLinesHtml = `<ul>
      {{#parcel.lines}}<li>{{quantity}} × {{name}}</li>{{/parcel.lines}}
    </ul>`;

/** A message about one parcel: what is in it and how to follow it. */
function parcelDefaults(subject: string, intro: string): KindDefaults {
  return {
    subject,
    inApp: `${intro} {{parcel.carrier}} tracking number: {{parcel.trackingNumber}}.{{#parcel.trackingUrl}} {{parcel.trackingUrl}}{{/parcel.trackingUrl}}`,
    text: `${intro}\n\nIn this parcel:\n${parcelLinesText}\n${parcelTrackingText}`,
    html: page(subject, `<p>${intro}</p>\n    ${parcelLinesHtml}\n    ${parcelTrackingHtml}`),
  };
}

const returnLinesText = "{{#return.lines}}  {{quantity}} × {{name}}\n{{/return.lines}}";
const returnLinesHtml = `<ul>
      {{#return.lines}}<li>{{quantity}} × {{name}}</li>{{/return.lines}}
    </ul>`;

/** A message about a return: what it holds, and what happens next. */
function returnDefaults(subject: string, intro: string, next: string): KindDefaults {
  return {
    subject,
    inApp: `${intro} ${next}`,
    text: `${intro}\n\nReturned:\n${returnLinesText}\n${next}`,
    html: page(subject, `<p>${intro}</p>\n    ${returnLinesHtml}\n    <p>${next}</p>`),
  };
}

const lowStockText =
  "{{product.name}} ({{product.sku}}) is down to {{available}} available, at or below its threshold of {{threshold}}.";

/** The code's templates: what every message says until the back office changes it. */
const defaults: Record<NotificationKind, KindDefaults> = {
  WELCOME: {
    subject: "Welcome, {{name}}",
    inApp:
      "Your account is ready. Happy shopping!{{#verification}} We sent you a link to confirm your email address.{{/verification}}",
    text: "Hello {{name}},\n\nyour account is ready. Happy shopping!{{#verification}}\n\nPlease confirm your email address with this link (it works once, until {{until}}):\n\n{{link}}{{/verification}}",
    html: page(
      "Welcome, {{name}}",
      `<p>Hello {{name}},</p>
    <p>your account is ready. Happy shopping!</p>
    {{#verification}}<p>Please <a href="{{link}}">confirm your email address</a>. The link works once, until {{until}}.</p>{{/verification}}`,
    ),
  },
  PASSWORD_RESET: {
    subject: "Reset your password",
    inApp: "A password reset link was sent to your email address. If you did not ask for it, ignore it.",
    text: "Hello {{name}},\n\nto choose a new password, open this link (it works once, until {{until}}):\n\n{{link}}\n\nIf you did not ask for this, ignore this email: your password stays as it is.",
    html: page(
      "Reset your password",
      `<p>Hello {{name}},</p>
    <p>to choose a new password, open <a href="{{link}}">this link</a>. It works once, until {{until}}.</p>
    <p>If you did not ask for this, ignore this email: your password stays as it is.</p>`,
    ),
  },
  EMAIL_VERIFICATION: {
    subject: "Confirm your email address",
    inApp: "A link to confirm your email address was sent to it.",
    text: "Hello {{name}},\n\nplease confirm your email address with this link (it works once, until {{until}}):\n\n{{link}}",
    html: page(
      "Confirm your email address",
      `<p>Hello {{name}},</p>
    <p>please <a href="{{link}}">confirm your email address</a>. The link works once, until {{until}}.</p>`,
    ),
  },
  EMAIL_CHANGE_CONFIRMATION: {
    subject: "Confirm your new email address",
    inApp: "A link to confirm {{newEmail}} was sent to that address; your email changes when it is followed.",
    text: "Hello {{name}},\n\nto make {{newEmail}} the email address of your account, open this link (it works once, until {{until}}):\n\n{{link}}\n\nIf you did not ask for this, ignore this email: nothing changes.",
    html: page(
      "Confirm your new email address",
      `<p>Hello {{name}},</p>
    <p>to make {{newEmail}} the email address of your account, open <a href="{{link}}">this link</a>. It works once, until {{until}}.</p>
    <p>If you did not ask for this, ignore this email: nothing changes.</p>`,
    ),
  },
  EMAIL_CHANGE_NOTICE: {
    subject: "Your email address is being changed",
    inApp:
      "A change of your account's email address from {{currentEmail}} to {{newEmail}} was asked for. It takes effect only when the link sent to {{newEmail}} is followed. If this was not you, reset your password now: that also cancels the change.",
    text: "Hello {{name}},\n\nA change of your account's email address from {{currentEmail}} to {{newEmail}} was asked for. It takes effect only when the link sent to {{newEmail}} is followed.\n\nIf this was not you, reset your password now: that also cancels the change.",
    html: page(
      "Your email address is being changed",
      `<p>Hello {{name}},</p>
    <p>A change of your account's email address from {{currentEmail}} to {{newEmail}} was asked for. It takes effect only when the link sent to {{newEmail}} is followed.</p>
    <p><strong>If this was not you, reset your password now: that also cancels the change.</strong></p>`,
    ),
  },
  PHONE_VERIFICATION: {
    subject: "Confirm your mobile number",
    inApp: "A code to confirm {{phoneNumber}} as your mobile number was sent to it by text message.",
    sms: "{{code}} is your code to confirm this number for your Commerce account. It works until {{until}}.",
    text: "Hello {{name}},\n\na code was sent to {{phoneNumber}} to make it your account's mobile number.\n\nIf this was not you, reset your password now.",
    html: page(
      "Confirm your mobile number",
      `<p>Hello {{name}},</p>
    <p>a code was sent to {{phoneNumber}} to make it your account's mobile number.</p>
    <p><strong>If this was not you, reset your password now.</strong></p>`,
    ),
  },
  ORDER_CONFIRMED: orderDefaults(
    "Order {{order.number}} confirmed",
    "Thank you! Your order {{order.number}} is confirmed and will ship soon.",
  ),
  ORDER_CANCELLED: orderDefaults(
    "Order {{order.number}} cancelled",
    "Your order {{order.number}} was cancelled: {{order.cancellationReason}}. Anything you paid is refunded.",
  ),
  ORDER_SHIPPED: orderDefaults(
    "Order {{order.number}} is on its way",
    "Your order {{order.number}} has shipped.{{#order.shipment}} Tracking number: {{trackingNumber}} ({{carrier}}).{{/order.shipment}}",
    "{{#order.shipment}}\n\nCarrier: {{carrier}}, tracking number: {{trackingNumber}}{{/order.shipment}}",
    "{{#order.shipment}}<p>Carrier: {{carrier}}<br />Tracking number: <strong>{{trackingNumber}}</strong></p>{{/order.shipment}}",
  ),
  ORDER_DELIVERED: orderDefaults(
    "Order {{order.number}} delivered",
    "Your order {{order.number}} was delivered. Enjoy!",
  ),
  ORDER_REFUNDED: orderDefaults(
    "Order {{order.number}} refunded",
    "Your order {{order.number}} was refunded in full: {{order.total}}.",
  ),
  ORDER_EDITED: {
    subject: "Order {{order.number}} changed",
    inApp:
      "Your order {{order.number}} was changed: its total is now {{edit.total}}.{{#edit.refund}} {{edit.refund}} is refunded to you.{{/edit.refund}}",
    text: "Your order {{order.number}} was changed.\n\n{{#edit.lines}}{{name}}: {{previousQuantity}} → {{quantity}}\n{{/edit.lines}}\nTotal: {{edit.previousTotal}} → {{edit.total}}{{#edit.refund}}\n{{edit.refund}} is refunded to you; it may take a few days to show on your statement.{{/edit.refund}}",
    html: page(
      "Order {{order.number}} changed",
      `<p>Your order {{order.number}} was changed.</p>
    <ul>{{#edit.lines}}<li>{{name}}: {{previousQuantity}} → {{quantity}}</li>{{/edit.lines}}</ul>
    <p>Total: {{edit.previousTotal}} → <strong>{{edit.total}}</strong></p>
    {{#edit.refund}}<p>{{edit.refund}} is refunded to you; it may take a few days to show on your statement.</p>{{/edit.refund}}`,
    ),
  },
  PARCEL_SHIPPED: parcelDefaults(
    "Order {{order.number}} is on its way",
    "A parcel of your order {{order.number}} has shipped.{{#order.moreToCome}} The rest follows separately.{{/order.moreToCome}}",
  ),
  PARCEL_OUT_FOR_DELIVERY: parcelDefaults(
    "Order {{order.number}}: out for delivery",
    "A parcel of your order {{order.number}} is out for delivery today.",
  ),
  PARCEL_DELIVERED: parcelDefaults(
    "Order {{order.number}}: a parcel was delivered",
    "A parcel of your order {{order.number}} was delivered.{{#order.moreToCome}} The rest of the order is still on its way.{{/order.moreToCome}}",
  ),
  PARCEL_EXCEPTION: parcelDefaults(
    "Order {{order.number}}: a delivery problem",
    "The carrier reports a problem delivering a parcel of your order {{order.number}}. We are on it; follow the parcel for news.",
  ),
  RETURN_APPROVED: returnDefaults(
    "Return for order {{order.number}} approved",
    "Your return for order {{order.number}} is approved.",
    "Please send the items back with return label {{return.labelReference}}. {{#return.exchangeOrder}}Your replacement is set aside in order {{return.exchangeOrder}} and ships once they arrive.{{/return.exchangeOrder}}{{^return.exchangeOrder}}We refund you once they arrive.{{/return.exchangeOrder}}",
  ),
  RETURN_REJECTED: returnDefaults(
    "Return for order {{order.number}} declined",
    "We cannot accept your return for order {{order.number}}.",
    "Reason: {{return.rejectionReason}}",
  ),
  RETURN_RECEIVED: returnDefaults(
    "Return for order {{order.number}} received",
    "We received your return for order {{order.number}}.",
    "{{#return.exchangeOrder}}It pays for your replacement order {{return.exchangeOrder}}. {{/return.exchangeOrder}}{{#return.refund}}A refund of {{return.refund}} is on its way to you.{{/return.refund}}{{^return.refund}}Nothing is refunded for it.{{/return.refund}}",
  ),
  REFUND_ISSUED: {
    subject: "Order {{order.number}}: refund of {{refund.amount}}",
    inApp:
      "We refunded {{refund.amount}} of your order {{order.number}}{{#refund.forReturn}} for your return{{/refund.forReturn}}.",
    text: "We refunded {{refund.amount}} of your order {{order.number}}{{#refund.forReturn}} for your return{{/refund.forReturn}}.{{#refund.reason}}\nReason: {{refund.reason}}{{/refund.reason}}\n\nRefunded so far: {{refund.refundedTotal}}. It may take a few days to show on your statement.",
    html: page(
      "Order {{order.number}}: refund of {{refund.amount}}",
      `<p>We refunded <strong>{{refund.amount}}</strong> of your order {{order.number}}{{#refund.forReturn}} for your return{{/refund.forReturn}}.</p>
    {{#refund.reason}}<p>Reason: {{refund.reason}}</p>{{/refund.reason}}
    <p>Refunded so far: {{refund.refundedTotal}}. It may take a few days to show on your statement.</p>`,
    ),
  },
  LOW_STOCK: {
    subject: "Low stock: {{product.name}} ({{product.sku}})",
    inApp: lowStockText,
    text: lowStockText,
    html: page(
      "Low stock: {{product.name}} ({{product.sku}})",
      "<p><strong>{{product.name}}</strong> ({{product.sku}}) is down to {{available}} available, at or below its threshold of {{threshold}}.</p>",
    ),
  },
};

/** The code's template of `kind` on `channel`. */
export function defaultTemplate(kind: NotificationKind, channel: NotificationChannel): TemplateSources {
  const kindDefaults = defaults[kind];
  switch (channel) {
    case "EMAIL":
      return { subject: kindDefaults.subject, text: kindDefaults.text, html: kindDefaults.html };
    case "SMS":
      return { subject: kindDefaults.subject, text: kindDefaults.sms ?? kindDefaults.inApp, html: null };
    case "IN_APP":
    case "PUSH":
      return { subject: kindDefaults.subject, text: kindDefaults.inApp, html: null };
  }
}
