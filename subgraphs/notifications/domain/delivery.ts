import { backoffDelayMs, type BackoffSettings } from "../../common/backoff";
import type { Logger } from "../../common/logger";
import { UnusableSecretError } from "../../common/secrets/sealedSecrets";
import { withSecret, type SecretOpener } from "../templates/secretLinks";
import type { NotificationsDb } from "../store/database";
import {
  claimNotifications,
  recordDeliveryOutcomes,
  type ClaimedNotification,
  type DeliveryRecord,
} from "../store/deliverySql";
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
  /** Told of the earliest retry a batch scheduled, once it is recorded (the worker wakes then). */
  onRetryScheduled?: (at: Date) => void;
}

/**
 * Where a message goes: an email to the address it was made for, or the user's (an address not
 * known when it was made); a text to the number it was made for; a push to every device the user
 * has now ("none" when they have none left). Texts and pushes never fall back to the email.
 */
function recipientsOf(notification: ClaimedNotification): string[] | "none" {
  switch (notification.channel) {
    case "EMAIL": {
      // The address may have been unknown when the event arrived (the user's own event was late).
      const email = notification.recipient ?? notification.knownEmail;
      if (!email) throw new Error("the recipient's address is not known yet");
      return [email];
    }
    case "SMS":
      // Texts made before contact channels were addressed to `user:<id>`: they have nowhere to go.
      return notification.recipient?.startsWith("+") ? [notification.recipient] : "none";
    case "PUSH": {
      const tokens = notification.pushTokens ?? [];
      return tokens.length > 0 ? tokens : "none";
    }
    case "IN_APP":
      return "none";
  }
}

/** How often the record of a batch's outcomes is tried before giving up on it. */
const recordAttempts = 3;

/** What a try's outcome records, as the state machine decides it (null: the outcome changes nothing). */
function outcome(
  notification: ClaimedNotification,
  event: DeliveryEventType,
  fields: Omit<DeliveryRecord, "id" | "deliveryStatus">,
): DeliveryRecord | null {
  const decision = decideDelivery(notification.deliveryStatus, event);
  if (decision.kind === "ignore") return null;
  const deliveryStatus = decision.kind === "transition" ? decision.to : notification.deliveryStatus;
  return { id: notification.id, deliveryStatus, ...fields };
}

/**
 * One try at sending a claimed message; answers what to record. A failure is retried with
 * exponential backoff; after the last try the message is FAILED.
 */
async function attemptDelivery(
  deps: DeliveryDependencies,
  notification: ClaimedNotification,
): Promise<DeliveryRecord | null> {
  if (notification.deliveryStatus !== "PENDING" || notification.channel === "IN_APP") return null;
  const { id } = notification;
  const attempts = notification.attempts + 1;
  let recipient: string;
  try {
    const recipients = recipientsOf(notification);
    if (recipients === "none") {
      return outcome(notification, "NO_RECIPIENT", {
        attempts,
        statusReason:
          notification.channel === "PUSH" ? "the user has no push device any more" : "the text message has no number",
        nextAttemptAt: null,
        dropSecret: true,
      });
    }
    recipient = notification.channel === "PUSH" ? `${recipients.length} push device(s)` : recipients[0]!;
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
    deps.logger.warn(
      { notificationId: id, channel: notification.channel, attempts, err: reason },
      last ? "notification failed for good" : "notification not sent; will retry",
    );
    return outcome(notification, last ? "LAST_SEND_FAILED" : "SEND_FAILED", {
      attempts,
      statusReason: reason,
      nextAttemptAt: last ? null : new Date(Date.now() + delay),
      dropSecret: last,
    });
  }
  return outcome(notification, "SENT", {
    sentAt: new Date(),
    attempts,
    nextAttemptAt: null,
    recipient,
    statusReason: null,
    dropSecret: true,
  });
}

/**
 * Sends a batch of due messages: claims up to `limit` (leased for `leaseMs`) with what sending
 * them needs in one statement, tries them all at once, and records every outcome in one
 * statement. Answers how many were claimed. Once a message went out, a failure is of the
 * bookkeeping, never a reason to send again now: the record is tried again, and should every try
 * fail, the message is sent again once its lease ends, under the same id.
 */
export async function deliverDue(deps: DeliveryDependencies, limit: number, leaseMs: number): Promise<number> {
  const claimed = await claimNotifications(deps.db, limit, leaseMs);
  if (claimed.length === 0) return 0;
  const tries = await Promise.allSettled(claimed.map((notification) => attemptDelivery(deps, notification)));
  const records: DeliveryRecord[] = [];
  tries.forEach((result, index) => {
    if (result.status === "fulfilled") {
      if (result.value) records.push(result.value);
      return;
    }
    const err = result.reason instanceof Error ? result.reason.message : String(result.reason);
    deps.logger.error(
      { notificationId: claimed[index]!.id, err },
      "a delivery failed unexpectedly; it is tried again when its lease ends",
    );
  });
  for (let attempt = 1; attempt <= recordAttempts; attempt += 1) {
    try {
      await recordDeliveryOutcomes(deps.db, records);
      const retries = records.flatMap((record) => (record.nextAttemptAt ? [record.nextAttemptAt.getTime()] : []));
      if (retries.length > 0) deps.onRetryScheduled?.(new Date(Math.min(...retries)));
      break;
    } catch (error) {
      if (attempt === recordAttempts) {
        for (const record of records.filter((each) => each.deliveryStatus === "SENT")) {
          deps.logger.error(
            { notificationId: record.id, err: (error as Error).message },
            "notification sent but not recorded as sent; it may go out again, with the same id",
          );
        }
      }
    }
  }
  return claimed.length;
}
