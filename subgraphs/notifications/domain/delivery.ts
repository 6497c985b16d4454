import { backoffDelayMs, type BackoffSettings } from "../../common/backoff";
import type { Logger } from "../../common/logger";
import { UnusableSecretError } from "../../common/secrets/sealedSecrets";
import { withSecret, type SecretOpener } from "../templates/secretLinks";
import type { NotificationsDb } from "../store/database";
import { emailOf, findNotification, pushTokensOf, saveDelivery, type DeliveryChange } from "../store/notificationStore";
import type { NotificationRecord } from "../store/records";
import type { Transports } from "../transports/transport";
import { decideDelivery, type DeliveryEventType } from "./deliveryStateMachine";

export interface DeliverySettings {
  maxAttempts: number;
  retry: BackoffSettings;
}

export interface DeliveryDependencies {
  db: NotificationsDb;
  transports: Transports;
  settings: DeliverySettings;
  logger: Logger;
  /** Opens a message's sealed secret (a link, a code), only as it is handed to the transport. */
  openSecret: SecretOpener;
}

/**
 * Where a message goes: an email to the address it was made for, or the user's (an address not
 * known when it was made); a text to the number it was made for; a push to every device the user
 * has now ("none" when they have none left). Texts and pushes never fall back to the email.
 */
async function recipientsOf(deps: DeliveryDependencies, notification: NotificationRecord): Promise<string[] | "none"> {
  switch (notification.channel) {
    case "EMAIL": {
      // The address may have been unknown when the event arrived (the user's own event was late).
      const email = notification.recipient ?? (await emailOf(deps.db, notification.userId));
      if (!email) throw new Error("the recipient's address is not known yet");
      return [email];
    }
    case "SMS":
      // Texts made before contact channels were addressed to `user:<id>`: they have nowhere to go.
      return notification.recipient?.startsWith("+") ? [notification.recipient] : "none";
    case "PUSH": {
      const tokens = await pushTokensOf(deps.db, notification.userId);
      return tokens.length > 0 ? tokens : "none";
    }
    case "IN_APP":
      return "none";
  }
}

/** How often the record that a message went out is tried before giving up on it. */
const recordAttempts = 3;

/** A try's outcome as the state machine decides it, with the bookkeeping that goes with it. */
function deliveryChange(
  notification: NotificationRecord,
  event: DeliveryEventType,
  fields: DeliveryChange,
): DeliveryChange {
  const decision = decideDelivery(notification.deliveryStatus, event);
  if (decision.kind === "ignore") return {};
  return { ...fields, ...(decision.kind === "transition" ? { deliveryStatus: decision.to } : {}) };
}

/**
 * One try at sending a due message. A failure is retried with exponential backoff; after the
 * last try the message is FAILED.
 */
export async function deliverNotification(deps: DeliveryDependencies, id: string): Promise<void> {
  const notification = await findNotification(deps.db, id);
  if (!notification || notification.deliveryStatus !== "PENDING" || notification.channel === "IN_APP") return;
  const attempts = notification.attempts + 1;
  let recipient: string | undefined;
  try {
    const recipients = await recipientsOf(deps, notification);
    if (recipients === "none") {
      await saveDelivery(
        deps.db,
        id,
        deliveryChange(notification, "NO_RECIPIENT", {
          attempts,
          statusReason:
            notification.channel === "PUSH" ? "the user has no push device any more" : "the text message has no number",
          nextAttemptAt: null,
          sealedSecret: null,
        }),
      );
      return;
    }
    recipient = notification.channel === "PUSH" ? `${recipients.length} push device(s)` : recipients[0];
    // A secret exists in clear only in this copy, for the transport; nothing keeps it.
    const content = notification.sealedSecret
      ? withSecret(
          { text: notification.body, html: notification.html },
          deps.openSecret(notification.sealedSecret, notification.userId),
        )
      : { text: notification.body, html: notification.html };
    // Every device of a push gets it; a repeat after a failure carries the same id, so devices can tell.
    for (const address of recipients) {
      await deps.transports[notification.channel].send({
        id,
        channel: notification.channel,
        recipient: address,
        subject: notification.subject,
        text: content.text,
        html: content.html,
      });
    }
  } catch (error) {
    const reason = (error as Error).message.slice(0, 500);
    // A link that cannot be opened (expired, sealed under another key) never will be.
    const last = attempts >= deps.settings.maxAttempts || error instanceof UnusableSecretError;
    const delay = backoffDelayMs(attempts, deps.settings.retry);
    await saveDelivery(
      deps.db,
      id,
      deliveryChange(notification, last ? "LAST_SEND_FAILED" : "SEND_FAILED", {
        attempts,
        statusReason: reason,
        nextAttemptAt: last ? null : new Date(Date.now() + delay),
        ...(last ? { sealedSecret: null } : {}),
      }),
    );
    deps.logger.warn(
      { notificationId: id, channel: notification.channel, attempts, err: reason },
      last ? "notification failed for good" : "notification not sent; will retry",
    );
    return;
  }
  // It went out: from here on, a failure is of the bookkeeping, never a reason to send again now.
  // Should every try fail, the message is sent again once its lease ends, under the same id.
  const sent = deliveryChange(notification, "SENT", {
    sentAt: new Date(),
    attempts,
    nextAttemptAt: null,
    recipient,
    statusReason: null,
    sealedSecret: null,
  });
  for (let attempt = 1; attempt <= recordAttempts; attempt += 1) {
    try {
      await saveDelivery(deps.db, id, sent);
      return;
    } catch (error) {
      if (attempt === recordAttempts) {
        deps.logger.error(
          { notificationId: id, channel: notification.channel, err: (error as Error).message },
          "notification sent but not recorded as sent; it may go out again, with the same id",
        );
      }
    }
  }
}
