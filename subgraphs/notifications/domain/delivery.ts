import type { Logger } from "../../common/logger";
import { UnusableSecretError } from "../../common/secrets/sealedSecrets";
import { withLink, type LinkOpener } from "../templates/secretLinks";
import type { NotificationsDb } from "../store/database";
import type { Transports } from "../transports/transport";

export interface DeliverySettings {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface DeliveryDependencies {
  db: NotificationsDb;
  transports: Transports;
  settings: DeliverySettings;
  logger: Logger;
  /** Opens an email's sealed link, only as it is handed to the transport. */
  openLink: LinkOpener;
}

const batch = 20;
const leaseMs = 60_000;

/**
 * Sends the notifications that are due, a batch at a time. A failure is retried with exponential
 * backoff; after the last try the notification is FAILED. Returns whether more may be due.
 */
export async function deliverDueNotifications(deps: DeliveryDependencies): Promise<boolean> {
  const claimed = await deps.db.$queryRaw<Array<{ id: string }>>`
    UPDATE notifications SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
     WHERE id IN (SELECT id FROM notifications WHERE delivery_status = 'PENDING' AND next_attempt_at <= now()
                   ORDER BY next_attempt_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING id::text`;
  await Promise.all(claimed.map(({ id }) => deliver(deps, id)));
  return claimed.length === batch;
}

/** How often the record that a message went out is tried before giving up on it. */
const recordAttempts = 3;

async function deliver(deps: DeliveryDependencies, id: string): Promise<void> {
  const notification = await deps.db.notification.findUnique({ where: { id } });
  if (!notification || notification.deliveryStatus !== "PENDING" || notification.channel === "IN_APP") return;
  const attempts = notification.attempts + 1;
  let recipient: string | undefined;
  try {
    // The address may have been unknown when the event arrived (the user's own event was late).
    recipient =
      notification.recipient ?? (await deps.db.knownUser.findUnique({ where: { userId: notification.userId } }))?.email;
    if (!recipient) throw new Error("the recipient's address is not known yet");
    // A link's secret exists in clear only in this copy, for the transport; nothing keeps it.
    const content = notification.sealedSecret
      ? withLink(
          { text: notification.body, html: notification.html },
          deps.openLink(notification.sealedSecret, notification.userId),
        )
      : { text: notification.body, html: notification.html };
    await deps.transports[notification.channel].send({
      id,
      channel: notification.channel,
      recipient,
      subject: notification.subject,
      text: content.text,
      html: content.html,
    });
  } catch (error) {
    const reason = (error as Error).message.slice(0, 500);
    // A link that cannot be opened (expired, sealed under another key) never will be.
    const last = attempts >= deps.settings.maxAttempts || error instanceof UnusableSecretError;
    const delay = Math.min(deps.settings.retryMaxMs, deps.settings.retryBaseMs * 2 ** (attempts - 1));
    await deps.db.notification.update({
      where: { id },
      data: {
        attempts,
        statusReason: reason,
        deliveryStatus: last ? "FAILED" : "PENDING",
        nextAttemptAt: last ? null : new Date(Date.now() + delay),
        ...(last ? { sealedSecret: null } : {}),
      },
    });
    deps.logger.warn(
      { notificationId: id, channel: notification.channel, attempts, err: reason },
      last ? "notification failed for good" : "notification not sent; will retry",
    );
    return;
  }
  // It went out: from here on, a failure is of the bookkeeping, never a reason to send again now.
  // Should every try fail, the message is sent again once its lease ends, under the same id.
  const sent = {
    deliveryStatus: "SENT" as const,
    sentAt: new Date(),
    attempts,
    nextAttemptAt: null,
    recipient,
    statusReason: null,
    sealedSecret: null,
  };
  for (let attempt = 1; attempt <= recordAttempts; attempt += 1) {
    try {
      await deps.db.notification.update({ where: { id }, data: sent });
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
