import { onEvent } from "../../common/events/eventConsumer";
import { notify } from "../domain/notify";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import { notificationsPrivacy } from "../domain/privacy";
import type { NotificationsTx } from "../store/database";
import { admins, rememberContactChannels, rememberUser } from "../store/notificationStore";
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

/** The customer of an order: their account, or for a guest's order the email it was placed with. */
const customerOf = (data: { customerId: string; guestEmail?: string | undefined }) => [
  { userId: data.customerId, email: data.guestEmail ?? null },
];

/**
 * Every event the notifications service turns into messages, and the users read model. Secrets
 * (links, codes) arrive sealed and stay sealed here: only the delivery opens them.
 */
export function notificationsEventHandlers() {
  return [
    onEvent<NotificationsTx, "users.user.registered">("users.user.registered", async (event, tx, emit) => {
      const { userId, email, name, roles, verification } = event.data;
      await rememberUser(tx, { userId, email, name, isAdmin: roles.includes("ADMIN") }, new Date(event.occurredAt));
      await notify(tx, emit, {
        sourceEventId: event.id,
        kind: "WELCOME",
        recipients: [{ userId, email }],
        values: welcome({ name }, verification),
        ...(verification ? { sealedSecret: verification.sealed } : {}),
      });
    }),
    onEvent<NotificationsTx, "users.user.updated">("users.user.updated", async (event, tx) => {
      const { userId, email, name, roles } = event.data;
      await rememberUser(tx, { userId, email, name, isAdmin: roles.includes("ADMIN") }, new Date(event.occurredAt));
    }),
    onEvent<NotificationsTx, "users.contact_channels.changed">("users.contact_channels.changed", async (event, tx) => {
      await rememberContactChannels(tx, event.data, new Date(event.occurredAt));
    }),
    onEvent<NotificationsTx, "users.password_reset.requested">(
      "users.password_reset.requested",
      async (event, tx, emit) => {
        const { userId, email, name, link } = event.data;
        // Written before links were sealed: its clear token is not read, and nothing is sent.
        if (!link) return;
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "PASSWORD_RESET",
          recipients: [{ userId, email }],
          values: linkMessage({ name, expiresAt: link.expiresAt }),
          sealedSecret: link.sealed,
        });
      },
    ),
    onEvent<NotificationsTx, "users.email_verification.requested">(
      "users.email_verification.requested",
      async (event, tx, emit) => {
        const { userId, email, name, link } = event.data;
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "EMAIL_VERIFICATION",
          recipients: [{ userId, email }],
          values: linkMessage({ name, expiresAt: link.expiresAt }),
          sealedSecret: link.sealed,
        });
      },
    ),
    onEvent<NotificationsTx, "users.email_change.requested">(
      "users.email_change.requested",
      async (event, tx, emit) => {
        const { userId, name, currentEmail, newEmail, link } = event.data;
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "EMAIL_CHANGE_NOTICE",
          recipients: [{ userId, email: currentEmail }],
          values: emailChangeNotice({ name, currentEmail, newEmail }),
        });
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "EMAIL_CHANGE_CONFIRMATION",
          recipients: [{ userId, email: newEmail }],
          values: emailChangeConfirmation({ name, newEmail, expiresAt: link.expiresAt }),
          sealedSecret: link.sealed,
        });
      },
    ),
    onEvent<NotificationsTx, "users.phone_verification.requested">(
      "users.phone_verification.requested",
      async (event, tx, emit) => {
        const { userId, name, phoneNumber, code } = event.data;
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "PHONE_VERIFICATION",
          recipients: [{ userId, phoneNumber }],
          values: phoneVerification({ name, phoneNumber, expiresAt: code.expiresAt }),
          sealedSecret: code.sealed,
        });
      },
    ),
    onEvent<NotificationsTx, "orders.order.status_changed">(
      "orders.order.status_changed",
      async (event, tx, emit) => {
        const message = orderMessage(event.data);
        if (!message) return;
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: message.kind,
          recipients: customerOf(event.data),
          values: message.values,
        });
      },
      {
        subjectDetails: [...notifiedStatuses],
        // An order that ships in parcels is told of each parcel as it leaves (with its tracking).
        appliesTo: (event) => !(event.data.status === "SHIPPED" && event.data.shipsInFulfillments),
      },
    ),
    onEvent<NotificationsTx, "orders.fulfillment.created">("orders.fulfillment.created", async (event, tx, emit) => {
      const message = parcelShipped(event.data);
      await notify(tx, emit, {
        sourceEventId: event.id,
        kind: message.kind,
        recipients: customerOf(event.data),
        values: message.values,
      });
    }),
    onEvent<NotificationsTx, "orders.fulfillment.updated">(
      "orders.fulfillment.updated",
      async (event, tx, emit) => {
        const message = parcelMessage(event.data)!;
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: message.kind,
          recipients: customerOf(event.data),
          values: message.values,
        });
      },
      { appliesTo: (event) => parcelMessage(event.data) !== null },
    ),
    ...(
      [
        ["orders.return.approved", "RETURN_APPROVED"],
        ["orders.return.rejected", "RETURN_REJECTED"],
        ["orders.return.received", "RETURN_RECEIVED"],
      ] as const
    ).map(([type, kind]) =>
      onEvent<NotificationsTx, typeof type>(type, async (event, tx, emit) => {
        const message = returnMessage(kind, event.data);
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: message.kind,
          recipients: customerOf(event.data),
          values: message.values,
        });
      }),
    ),
    onEvent<NotificationsTx, "orders.order.edited">("orders.order.edited", async (event, tx, emit) => {
      await notify(tx, emit, {
        sourceEventId: event.id,
        kind: "ORDER_EDITED",
        recipients: customerOf(event.data),
        values: orderEdited(event.data),
      });
    }),
    onEvent<NotificationsTx, "orders.refund.recorded">(
      "orders.refund.recorded",
      async (event, tx, emit) => {
        await notify(tx, emit, {
          sourceEventId: event.id,
          kind: "REFUND_ISSUED",
          recipients: customerOf(event.data),
          values: refundIssued(event.data),
        });
      },
      // A refund in full moves the order to REFUNDED, whose own message (`ORDER_REFUNDED`) tells it.
      { appliesTo: (event) => !event.data.fullyRefunded },
    ),
    onEvent<NotificationsTx, "inventory.stock.low">("inventory.stock.low", async (event, tx, emit) => {
      const recipients = (await admins(tx)).map((admin) => ({ userId: admin.userId, email: admin.email }));
      await notify(tx, emit, {
        sourceEventId: event.id,
        kind: "LOW_STOCK",
        recipients,
        values: lowStock(event.data),
      });
    }),
    // Privacy requests: what was sent to the person exported, or erased with their contacts.
    ...privacyEventHandlers("notifications", notificationsPrivacy),
  ];
}
