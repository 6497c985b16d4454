import type { EventData, EventType } from "../../common/events/catalog";
import type { EventEnvelope } from "../../common/events/envelope";
import { onEvent, type EventHandlerOptions } from "../../common/events/eventConsumer";
import type { Emit } from "../../common/events/unitOfWork";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import { notify, type NotificationRequest } from "../domain/notify";
import { notificationsPrivacy } from "../domain/privacy";
import type { NotificationsSqlTx } from "../store/database";
import { rememberContactChannels, rememberUser } from "../store/knownUsersSql";
import type { TemplateScope } from "../templates/engine/render";
import type { NotificationKind } from "../templates/kinds";
import {
  emailChangeConfirmation,
  emailChangeNotice,
  linkMessage,
  lowStock,
  notifiedStatuses,
  orderEdited,
  orderMessage,
  parcelMessage,
  parcelShipped,
  phoneVerification,
  refundIssued,
  returnMessage,
  welcome,
} from "../templates/messages";

/**
 * How long a batch of notifying events waits for more: nobody waits for a message by the
 * millisecond, and each batch is one transaction and one wake of the delivery worker (one claim,
 * one record), so under load these fixed costs are shared by the events of this time.
 */
const notifyingBatchWaitMs = 50;

/** A message an event asks for, before it is tied to the event. */
type Message = Omit<NotificationRequest, "sourceEventId">;

/** What an event tells its order's customer: a kind and its values, or null (nothing). */
type CustomerMessage = { kind: NotificationKind; values: TemplateScope } | null;

/** Events about an order: they carry its customer (and, for a guest's order, the email it was placed with). */
type OrderEventType = {
  [T in EventType]: EventData<T> extends { customerId: string; guestEmail?: string | undefined } ? T : never;
}[EventType];

/**
 * An event that notifies: the messages it asks for, all written in one read and one insert in
 * the consumer's transaction (a redelivered event changes nothing). SQL only: the consumer
 * applies it in a transaction of its own on the pool, not Prisma's interactive one.
 */
function notifying<T extends EventType>(
  type: T,
  messages: (data: EventData<T>) => readonly Message[],
  options: EventHandlerOptions<T> = {},
) {
  const notifyOf = async (events: ReadonlyArray<EventEnvelope<T>>, tx: NotificationsSqlTx, emit: Emit) => {
    const requests = events.flatMap((event) =>
      messages(event.data).map((message) => ({ ...message, sourceEventId: event.id })),
    );
    if (requests.length > 0) await notify(tx, emit, requests);
  };
  // A batch of events is one read and one insert, whatever their number.
  return onEvent<NotificationsSqlTx, T>(type, (event, tx, emit) => notifyOf([event], tx, emit), {
    ...options,
    handleBatch: notifyOf,
    sqlOnly: true,
    batchWaitMs: notifyingBatchWaitMs,
  });
}

/** An order's event that tells its customer: their account, or for a guest's order the email it was placed with. */
function toCustomer<T extends OrderEventType>(
  type: T,
  message: (data: EventData<T>) => CustomerMessage,
  options: EventHandlerOptions<T> = {},
) {
  return notifying(
    type,
    (data) => {
      const { customerId, guestEmail } = data as { customerId: string; guestEmail?: string | undefined };
      const found = message(data);
      return found ? [{ ...found, recipients: [{ userId: customerId, email: guestEmail ?? null }] }] : [];
    },
    options,
  );
}

const kindOf =
  <T>(kind: NotificationKind, values: (data: T) => TemplateScope) =>
  (data: T): CustomerMessage => ({ kind, values: values(data) });

/**
 * Every event the notifications service turns into messages, and the users read model. Secrets
 * (links, codes) arrive sealed and stay sealed here: only the delivery opens them.
 */
export function notificationsEventHandlers() {
  return [
    onEvent<NotificationsSqlTx, "users.user.registered">(
      "users.user.registered",
      async (event, tx, emit) => {
        const { userId, email, name, roles, verification } = event.data;
        await rememberUser(tx, { userId, email, name, isAdmin: roles.includes("ADMIN") }, new Date(event.occurredAt));
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "WELCOME",
          recipients: [{ userId, email }],
          values: welcome({ name }, verification),
          ...(verification ? { sealedSecret: verification.sealed } : {}),
        });
      },
      { sqlOnly: true },
    ),
    onEvent<NotificationsSqlTx, "users.user.updated">(
      "users.user.updated",
      async (event, tx) => {
        const { userId, email, name, roles } = event.data;
        await rememberUser(tx, { userId, email, name, isAdmin: roles.includes("ADMIN") }, new Date(event.occurredAt));
      },
      { sqlOnly: true },
    ),
    onEvent<NotificationsSqlTx, "users.contact_channels.changed">(
      "users.contact_channels.changed",
      async (event, tx) => {
        await rememberContactChannels(tx, event.data, new Date(event.occurredAt));
      },
      { sqlOnly: true },
    ),
    // Written before links were sealed, a reset's clear token is not read, and nothing is sent.
    notifying("users.password_reset.requested", ({ userId, email, name, link }) =>
      link
        ? [
            {
              kind: "PASSWORD_RESET",
              recipients: [{ userId, email }],
              values: linkMessage({ name, expiresAt: link.expiresAt }),
              sealedSecret: link.sealed,
            },
          ]
        : [],
    ),
    notifying("users.email_verification.requested", ({ userId, email, name, link }) => [
      {
        kind: "EMAIL_VERIFICATION",
        recipients: [{ userId, email }],
        values: linkMessage({ name, expiresAt: link.expiresAt }),
        sealedSecret: link.sealed,
      },
    ]),
    notifying("users.email_change.requested", ({ userId, name, currentEmail, newEmail, link }) => [
      {
        kind: "EMAIL_CHANGE_NOTICE",
        recipients: [{ userId, email: currentEmail }],
        values: emailChangeNotice({ name, currentEmail, newEmail }),
      },
      {
        kind: "EMAIL_CHANGE_CONFIRMATION",
        recipients: [{ userId, email: newEmail }],
        values: emailChangeConfirmation({ name, newEmail, expiresAt: link.expiresAt }),
        sealedSecret: link.sealed,
      },
    ]),
    notifying("users.phone_verification.requested", ({ userId, name, phoneNumber, code }) => [
      {
        kind: "PHONE_VERIFICATION",
        recipients: [{ userId, phoneNumber }],
        values: phoneVerification({ name, phoneNumber, expiresAt: code.expiresAt }),
        sealedSecret: code.sealed,
      },
    ]),
    toCustomer("orders.order.status_changed", orderMessage, {
      subjectDetails: [...notifiedStatuses],
      // An order that ships in parcels is told of each parcel as it leaves (with its tracking).
      appliesTo: (event) => !(event.data.status === "SHIPPED" && event.data.shipsInFulfillments),
    }),
    toCustomer("orders.fulfillment.created", parcelShipped),
    toCustomer("orders.fulfillment.updated", parcelMessage, {
      appliesTo: (event) => parcelMessage(event.data) !== null,
    }),
    toCustomer("orders.return.approved", (data) => returnMessage("RETURN_APPROVED", data)),
    toCustomer("orders.return.rejected", (data) => returnMessage("RETURN_REJECTED", data)),
    toCustomer("orders.return.received", (data) => returnMessage("RETURN_RECEIVED", data)),
    toCustomer("orders.order.edited", kindOf("ORDER_EDITED", orderEdited)),
    // A refund in full moves the order to REFUNDED, whose own message (`ORDER_REFUNDED`) tells it.
    toCustomer("orders.refund.recorded", kindOf("REFUND_ISSUED", refundIssued), {
      appliesTo: (event) => !event.data.fullyRefunded,
    }),
    notifying("inventory.stock.low", (alert) => [{ kind: "LOW_STOCK", recipients: "admins", values: lowStock(alert) }]),
    // Privacy requests: what was sent to the person exported, or erased with their contacts.
    ...privacyEventHandlers("notifications", notificationsPrivacy),
  ];
}
