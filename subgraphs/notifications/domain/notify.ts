import type { Emit } from "../../common/events/unitOfWork";
import type { NotificationChannel } from "../generated/prisma/client";
import type { MessageContent, NotificationKind } from "../templates/messages";
import type { NotificationsTx } from "../store/database";
import { insertNotifications, knownUsers, preferencesOf, type NewNotification } from "../store/notificationStore";
import type { PreferencesRecord } from "../store/records";

/** What a notification is about, which decides which preferences apply. */
export type Topic = "account" | "security" | "order" | "alert";

export interface NotificationRequest {
  /** The domain event it tells about: the same event never notifies twice. */
  sourceEventId: string;
  kind: NotificationKind;
  topic: Topic;
  recipients: ReadonlyArray<{ userId: string; email?: string | null }>;
  content: MessageContent;
  /**
   * The sealed secret of the email's link (a reset or verification link). Only the EMAIL copy
   * keeps it, until it is sent; that copy always goes out, whatever the preferences say, since
   * the user asked for it. The other copies never carry it.
   */
  sealedSecret?: string;
}

const outgoing: ReadonlyArray<Exclude<NotificationChannel, "IN_APP">> = ["EMAIL", "SMS", "PUSH"];

/** Whether a user's preferences let `channel` carry a message on `topic`. Security messages always go by email. */
export function allows(
  preferences: PreferencesRecord,
  channel: Exclude<NotificationChannel, "IN_APP">,
  topic: Topic,
): boolean {
  if (topic === "security") return channel === "EMAIL";
  const wantsChannel = channel === "EMAIL" ? preferences.email : channel === "SMS" ? preferences.sms : preferences.push;
  return wantsChannel && (topic !== "order" || preferences.orderUpdates);
}

/**
 * Creates one notification per recipient and channel: in-app always (and delivered at once), the
 * others PENDING for the delivery worker, or SKIPPED when the user's preferences say no.
 * Inside the consumer's transaction, so a redelivered event changes nothing.
 */
export async function notify(tx: NotificationsTx, emit: Emit, request: NotificationRequest): Promise<void> {
  const userIds = request.recipients.map((recipient) => recipient.userId);
  const preferences = await preferencesOf(tx, userIds);
  const emails = new Map((await knownUsers(tx, userIds)).map((user) => [user.userId, user.email]));
  const now = new Date();
  const rows: NewNotification[] = request.recipients.flatMap((recipient) => {
    const prefs = preferences.get(recipient.userId)!;
    const common = {
      userId: recipient.userId,
      kind: request.kind,
      subject: request.content.subject,
      sourceEventId: request.sourceEventId,
    };
    const inApp: NewNotification = {
      ...common,
      channel: "IN_APP",
      body: request.content.inApp,
      html: null,
      recipient: null,
      deliveryStatus: "SENT",
      statusReason: null,
      sentAt: now,
    };
    return [
      inApp,
      ...outgoing.map((channel): NewNotification => {
        const address =
          channel === "EMAIL" ? (recipient.email ?? emails.get(recipient.userId) ?? null) : `user:${recipient.userId}`;
        const carriesSecret = channel === "EMAIL" && request.sealedSecret !== undefined;
        const allowed = carriesSecret || allows(prefs, channel, request.topic);
        return {
          ...common,
          channel,
          // A message with a link is for email: the other channels get the in-app text.
          body:
            request.sealedSecret === undefined || channel === "EMAIL" ? request.content.text : request.content.inApp,
          html: channel === "EMAIL" ? request.content.html : null,
          sealedSecret: carriesSecret ? request.sealedSecret! : null,
          recipient: address,
          deliveryStatus: allowed ? "PENDING" : "SKIPPED",
          statusReason: allowed ? null : "the user's preferences say no",
          nextAttemptAt: allowed ? now : null,
        };
      }),
    ];
  });
  if ((await insertNotifications(tx, rows)) > 0) emit.wake("notification-delivery");
}
