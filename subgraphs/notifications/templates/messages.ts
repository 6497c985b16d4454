import type { EventData } from "../../common/events/catalog";
import { fromMoney, toMoney } from "../../common/money";
import type { TemplateScope } from "./engine/render";
import { codePlaceholder, linkPlaceholder, type NotificationKind } from "./kinds";

/**
 * The values each kind of message is rendered with, from the event it tells about. A secret
 * (link, code) is only ever its placeholder here: the secret itself stays sealed until delivery.
 */

const untilOf = (expiresAt: string) => new Date(expiresAt).toUTCString();

/** The welcome; with `verification`, it carries the link that verifies the new account's email. */
export function welcome(user: { name: string }, verification?: { expiresAt: string }): TemplateScope {
  return {
    name: user.name,
    verification: verification ? { until: untilOf(verification.expiresAt), link: linkPlaceholder } : null,
  };
}

/** A message with a link: a password reset, an email verification. */
export function linkMessage(request: { name: string; expiresAt: string }): TemplateScope {
  return { name: request.name, until: untilOf(request.expiresAt), link: linkPlaceholder };
}

/** To the new address of an email change: the link that confirms it. */
export function emailChangeConfirmation(request: { name: string; newEmail: string; expiresAt: string }): TemplateScope {
  return { ...linkMessage(request), newEmail: request.newEmail };
}

/** To the current address of an email change: what is happening. */
export function emailChangeNotice(request: { name: string; currentEmail: string; newEmail: string }): TemplateScope {
  return { name: request.name, currentEmail: request.currentEmail, newEmail: request.newEmail };
}

/** The code texted to a new mobile number (and the notice mailed to the account). */
export function phoneVerification(request: { name: string; phoneNumber: string; expiresAt: string }): TemplateScope {
  return {
    name: request.name,
    phoneNumber: request.phoneNumber,
    until: untilOf(request.expiresAt),
    code: codePlaceholder,
  };
}

type OrderChange = EventData<"orders.order.status_changed">;

const cancellationWords: Record<string, string> = {
  OUT_OF_STOCK: "some items were out of stock",
  PAYMENT_DECLINED: "the payment was declined",
  PAYMENT_TIMEOUT: "the payment did not go through in time",
  CANCELLED_BY_CUSTOMER: "you cancelled it",
  CANCELLED_BY_ADMIN: "our team cancelled it",
};

/** The order statuses a customer hears about, and the kind of message of each. */
const orderKinds: Partial<Record<OrderChange["status"], NotificationKind>> = {
  CONFIRMED: "ORDER_CONFIRMED",
  CANCELLED: "ORDER_CANCELLED",
  SHIPPED: "ORDER_SHIPPED",
  DELIVERED: "ORDER_DELIVERED",
  REFUNDED: "ORDER_REFUNDED",
};

export const notifiedStatuses: ReadonlySet<OrderChange["status"]> = new Set(
  Object.keys(orderKinds) as Array<OrderChange["status"]>,
);

/** The message for an order that reached `status`, or null for statuses nobody is told about. */
export function orderMessage(order: OrderChange): { kind: NotificationKind; values: TemplateScope } | null {
  const kind = orderKinds[order.status];
  if (!kind) return null;
  const money = (amount: { amount: string; currency: string }) => `${amount.amount} ${amount.currency}`;
  return {
    kind,
    values: {
      order: {
        number: order.number,
        total: money(order.total),
        lines: order.lines.map((line) => ({
          name: line.name || "item",
          quantity: String(line.quantity),
          unitPrice: money(line.unitPrice),
        })),
        shipment: order.shipment,
        cancellationReason: cancellationWords[order.cancellationReason ?? ""] ?? "it could not be completed",
      },
    },
  };
}

export function lowStock(alert: EventData<"inventory.stock.low">): TemplateScope {
  return {
    product: { name: alert.name, sku: alert.sku },
    available: String(alert.available),
    threshold: String(alert.threshold),
  };
}

const moneyText = (amount: { amount: string; currency: string }) => `${amount.amount} ${amount.currency}`;

type ParcelShipped = EventData<"orders.fulfillment.created">;
type ParcelMoved = EventData<"orders.fulfillment.updated">;

/** The parcel's values: its carrier and tracking, and (older events: nothing) what is in it. */
function parcelValues(parcel: ParcelShipped | ParcelMoved): TemplateScope {
  return {
    carrier: parcel.carrierName,
    trackingNumber: parcel.trackingNumber,
    trackingUrl: parcel.trackingUrl,
    lines: (parcel.lines ?? []).map((line) => ({ name: line.name, quantity: String(line.quantity) })),
  };
}

/** A parcel left: what is in it, with whom, and the link to follow it. */
export function parcelShipped(parcel: ParcelShipped): { kind: NotificationKind; values: TemplateScope } {
  return {
    kind: "PARCEL_SHIPPED",
    values: {
      order: { number: parcel.number, moreToCome: parcel.orderStatus === "PARTIALLY_SHIPPED" },
      parcel: parcelValues(parcel),
    },
  };
}

/**
 * The parcel steps a customer hears about: out for delivery, delivered while more of the order is
 * still to arrive (the last parcel's arrival is the order's own `ORDER_DELIVERED`), a problem.
 * In transit is not news.
 */
export function parcelMessage(parcel: ParcelMoved): { kind: NotificationKind; values: TemplateScope } | null {
  const kind: NotificationKind | null =
    parcel.status === "OUT_FOR_DELIVERY"
      ? "PARCEL_OUT_FOR_DELIVERY"
      : parcel.status === "DELIVERED" && parcel.orderStatus !== "DELIVERED"
        ? "PARCEL_DELIVERED"
        : parcel.status === "EXCEPTION"
          ? "PARCEL_EXCEPTION"
          : null;
  if (!kind) return null;
  return {
    kind,
    values: {
      order: { number: parcel.number, moreToCome: parcel.orderStatus !== "DELIVERED" },
      parcel: parcelValues(parcel),
    },
  };
}

type ReturnEvent =
  EventData<"orders.return.approved"> | EventData<"orders.return.rejected"> | EventData<"orders.return.received">;

/** A return the back office decided on or received: what it holds and what happens next. */
export function returnMessage(
  kind: "RETURN_APPROVED" | "RETURN_REJECTED" | "RETURN_RECEIVED",
  theReturn: ReturnEvent,
): { kind: NotificationKind; values: TemplateScope } {
  const base = {
    reason: theReturn.reason,
    lines: theReturn.lines.map((line) => ({ name: line.name, quantity: String(line.quantity) })),
  };
  const extra: TemplateScope =
    "labelReference" in theReturn
      ? { labelReference: theReturn.labelReference, exchangeOrder: theReturn.exchangeOrder?.number ?? "" }
      : "rejectionReason" in theReturn
        ? { rejectionReason: theReturn.rejectionReason }
        : receivedValues(theReturn);
  return { kind, values: { order: { number: theReturn.number }, return: { ...base, ...extra } } };
}

/** An order edited before it shipped: the lines changed and the totals. */
export function orderEdited(edit: EventData<"orders.order.edited">): TemplateScope {
  return {
    order: { number: edit.number },
    edit: {
      previousTotal: moneyText(edit.previousTotal),
      total: moneyText(edit.total),
      refund: /^0+\.0+$/.test(edit.refund.amount.amount) ? "" : moneyText(edit.refund.amount),
      lines: edit.lines.map((line) => ({
        name: line.name,
        previousQuantity: String(line.previousQuantity),
        quantity: String(line.quantity),
      })),
    },
  };
}

/** A received return's refund: for an exchange, what is left once its order is paid. */
function receivedValues(theReturn: EventData<"orders.return.received">): TemplateScope {
  const { exchange } = theReturn;
  const refundMinor = fromMoney(theReturn.refund.amount) - (exchange ? fromMoney(exchange.amount) : 0n);
  return {
    refund: refundMinor > 0n ? moneyText(toMoney(refundMinor, theReturn.refund.amount.currency)) : "",
    restocked: theReturn.restockLocationId ? "yes" : "",
    exchangeOrder: exchange?.number ?? "",
  };
}

/** A refund of part of an order (a refund in full is the order's own `ORDER_REFUNDED`). */
export function refundIssued(refund: EventData<"orders.refund.recorded">): TemplateScope {
  return {
    order: { number: refund.number },
    refund: {
      amount: moneyText(refund.amount),
      refundedTotal: moneyText(refund.refundedTotal),
      reason: refund.reason ?? "",
      forReturn: refund.returnId ? "yes" : "",
    },
  };
}
