import type { EventData } from "../../common/events/catalog";
import { html, joinHtml, type SafeHtml } from "./escape";

/**
 * Stands where the link of an email with a secret (a reset or verification link) goes. The
 * stored message keeps this text, so what the inbox and the back office can read says that a
 * link was sent; the link itself is put in only in the copy handed to the transport.
 */
export const linkPlaceholder = "[link sent by email, not kept]";

/** A notification's content: the in-app text, and the email (plain text and HTML). */
export interface MessageContent {
  subject: string;
  /** In-app text; no secrets (it stays in the user's inbox). */
  inApp: string;
  /** The email; in one with a secret link, `linkPlaceholder` stands where the link goes. */
  text: string;
  html: string;
}

export const notificationKinds = [
  "WELCOME",
  "PASSWORD_RESET",
  "EMAIL_VERIFICATION",
  "EMAIL_CHANGE_CONFIRMATION",
  "EMAIL_CHANGE_NOTICE",
  "ORDER_CONFIRMED",
  "ORDER_CANCELLED",
  "ORDER_SHIPPED",
  "ORDER_DELIVERED",
  "ORDER_REFUNDED",
  "LOW_STOCK",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body style="font-family:sans-serif;line-height:1.5;color:#222">
        ${body}
        <p style="color:#777;font-size:12px">Commerce</p>
      </body>
    </html>`.value;
}

const untilOf = (expiresAt: string) => new Date(expiresAt).toUTCString();

/** The welcome; with `verification`, it carries the link that verifies the new account's email. */
export function welcome(user: { name: string }, verification?: { expiresAt: string }): MessageContent {
  const subject = `Welcome, ${user.name}`;
  const verify = verification
    ? {
        text: `\n\nPlease confirm your email address with this link (it works once, until ${untilOf(verification.expiresAt)}):\n\n${linkPlaceholder}`,
        html: html`<p>
          Please <a href="${linkPlaceholder}">confirm your email address</a>. The link works once, until
          ${untilOf(verification.expiresAt)}.
        </p>`,
      }
    : { text: "", html: html`` };
  return {
    subject,
    inApp: `Your account is ready. Happy shopping!${verification ? " We sent you a link to confirm your email address." : ""}`,
    text: `Hello ${user.name},\n\nyour account is ready. Happy shopping!${verify.text}`,
    html: page(
      subject,
      html`<p>Hello ${user.name},</p>
        <p>your account is ready. Happy shopping!</p>
        ${verify.html}`,
    ),
  };
}

export function passwordReset(request: { name: string; expiresAt: string }): MessageContent {
  const until = untilOf(request.expiresAt);
  const subject = "Reset your password";
  const text = `Hello ${request.name},\n\nto choose a new password, open this link (it works once, until ${until}):\n\n${linkPlaceholder}\n\nIf you did not ask for this, ignore this email: your password stays as it is.`;
  return {
    subject,
    inApp: "A password reset link was sent to your email address. If you did not ask for it, ignore it.",
    text,
    html: page(
      subject,
      html`<p>Hello ${request.name},</p>
        <p>to choose a new password, open <a href="${linkPlaceholder}">this link</a>. It works once, until ${until}.</p>
        <p>If you did not ask for this, ignore this email: your password stays as it is.</p>`,
    ),
  };
}

export function emailVerification(request: { name: string; expiresAt: string }): MessageContent {
  const until = untilOf(request.expiresAt);
  const subject = "Confirm your email address";
  return {
    subject,
    inApp: "A link to confirm your email address was sent to it.",
    text: `Hello ${request.name},\n\nplease confirm your email address with this link (it works once, until ${until}):\n\n${linkPlaceholder}`,
    html: page(
      subject,
      html`<p>Hello ${request.name},</p>
        <p>
          please <a href="${linkPlaceholder}">confirm your email address</a>. The link works once, until ${until}.
        </p>`,
    ),
  };
}

/** To the new address of an email change: the link that confirms it. */
export function emailChangeConfirmation(request: {
  name: string;
  newEmail: string;
  expiresAt: string;
}): MessageContent {
  const until = untilOf(request.expiresAt);
  const subject = "Confirm your new email address";
  return {
    subject,
    inApp: `A link to confirm ${request.newEmail} was sent to that address; your email changes when it is followed.`,
    text: `Hello ${request.name},\n\nto make ${request.newEmail} the email address of your account, open this link (it works once, until ${until}):\n\n${linkPlaceholder}\n\nIf you did not ask for this, ignore this email: nothing changes.`,
    html: page(
      subject,
      html`<p>Hello ${request.name},</p>
        <p>
          to make ${request.newEmail} the email address of your account, open
          <a href="${linkPlaceholder}">this link</a>. It works once, until ${until}.
        </p>
        <p>If you did not ask for this, ignore this email: nothing changes.</p>`,
    ),
  };
}

/** To the current address of an email change: what is happening, and what to do if it is not the owner. */
export function emailChangeNotice(request: { name: string; currentEmail: string; newEmail: string }): MessageContent {
  const subject = "Your email address is being changed";
  const what = `A change of your account's email address from ${request.currentEmail} to ${request.newEmail} was asked for. It takes effect only when the link sent to ${request.newEmail} is followed.`;
  const notYou = "If this was not you, reset your password now: that also cancels the change.";
  return {
    subject,
    inApp: `${what} ${notYou}`,
    text: `Hello ${request.name},\n\n${what}\n\n${notYou}`,
    html: page(
      subject,
      html`<p>Hello ${request.name},</p>
        <p>${what}</p>
        <p><strong>${notYou}</strong></p>`,
    ),
  };
}

type OrderChange = EventData<"orders.order.status_changed">;

function lines(order: OrderChange): { text: string; html: SafeHtml } {
  const rows = order.lines.map((line) => ({
    line,
    label: `${line.quantity} × ${line.name || "item"}`,
    price: `${line.unitPrice.amount} ${line.unitPrice.currency}`,
  }));
  return {
    text: `${rows.map((row) => `  ${row.label} at ${row.price}`).join("\n")}\n  Total: ${order.total.amount} ${order.total.currency}`,
    html: html`<table>
      ${joinHtml(
        rows.map(
          (row) =>
            html`<tr>
              <td>${row.label}</td>
              <td>${row.price}</td>
            </tr>`,
        ),
      )}
      <tr>
        <td><strong>Total</strong></td>
        <td><strong>${order.total.amount} ${order.total.currency}</strong></td>
      </tr>
    </table>`,
  };
}

const cancellationWords: Record<string, string> = {
  OUT_OF_STOCK: "some items were out of stock",
  PAYMENT_DECLINED: "the payment was declined",
  PAYMENT_TIMEOUT: "the payment did not go through in time",
  CANCELLED_BY_CUSTOMER: "you cancelled it",
  CANCELLED_BY_ADMIN: "our team cancelled it",
};

/** The message for an order that reached `status`, or null for statuses nobody is told about. */
/** The order statuses a customer hears about; `orderMessage` has a message for each. */
export const notifiedStatuses: ReadonlySet<OrderChange["status"]> = new Set([
  "CONFIRMED",
  "CANCELLED",
  "SHIPPED",
  "DELIVERED",
  "REFUNDED",
]);

export function orderMessage(order: OrderChange): { kind: NotificationKind; content: MessageContent } | null {
  const items = lines(order);
  const build = (
    kind: NotificationKind,
    subject: string,
    intro: string,
    extraText = "",
    extraHtml: SafeHtml = html``,
  ) => ({
    kind,
    content: {
      subject,
      inApp: intro,
      text: `${intro}\n\n${items.text}${extraText ? `\n\n${extraText}` : ""}`,
      html: page(
        subject,
        html`<p>${intro}</p>
          ${items.html}${extraHtml}`,
      ),
    },
  });
  switch (order.status) {
    case "CONFIRMED":
      return build(
        "ORDER_CONFIRMED",
        `Order ${order.number} confirmed`,
        `Thank you! Your order ${order.number} is confirmed and will ship soon.`,
      );
    case "CANCELLED": {
      const why = cancellationWords[order.cancellationReason ?? ""] ?? "it could not be completed";
      return build(
        "ORDER_CANCELLED",
        `Order ${order.number} cancelled`,
        `Your order ${order.number} was cancelled: ${why}. Anything you paid is refunded.`,
      );
    }
    case "SHIPPED": {
      const tracking = order.shipment
        ? `Carrier: ${order.shipment.carrier}, tracking number: ${order.shipment.trackingNumber}`
        : "";
      return build(
        "ORDER_SHIPPED",
        `Order ${order.number} is on its way`,
        `Your order ${order.number} has shipped.${order.shipment ? ` Tracking number: ${order.shipment.trackingNumber} (${order.shipment.carrier}).` : ""}`,
        tracking,
        order.shipment
          ? html`<p>
              Carrier: ${order.shipment.carrier}<br />Tracking number: <strong>${order.shipment.trackingNumber}</strong>
            </p>`
          : html``,
      );
    }
    case "DELIVERED":
      return build(
        "ORDER_DELIVERED",
        `Order ${order.number} delivered`,
        `Your order ${order.number} was delivered. Enjoy!`,
      );
    case "REFUNDED":
      return build(
        "ORDER_REFUNDED",
        `Order ${order.number} refunded`,
        `Your order ${order.number} was refunded in full: ${order.total.amount} ${order.total.currency}.`,
      );
    default:
      return null;
  }
}

export function lowStock(alert: EventData<"inventory.stock.low">): MessageContent {
  const subject = `Low stock: ${alert.name} (${alert.sku})`;
  const text = `${alert.name} (${alert.sku}) is down to ${alert.available} available, at or below its threshold of ${alert.threshold}.`;
  return {
    subject,
    inApp: text,
    text,
    html: page(
      subject,
      html`<p>
        <strong>${alert.name}</strong> (${alert.sku}) is down to ${alert.available} available, at or below its threshold
        of ${alert.threshold}.
      </p>`,
    ),
  };
}
