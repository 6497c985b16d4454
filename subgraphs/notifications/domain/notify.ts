import type { Emit } from "../../common/events/unitOfWork";
import type { NotificationChannel } from "../generated/prisma/client";
import type { NotificationsTx } from "../store/database";
import {
  insertNotifications,
  knownUsers,
  preferencesOf,
  pushDeviceCounts,
  type NewNotification,
} from "../store/notificationStore";
import type { PreferencesRecord } from "../store/records";
import { templatesOf } from "../store/templateStore";
import { renderContent, type RenderedContent } from "../templates/content";
import type { TemplateScope } from "../templates/engine/render";
import {
  kindDefinitions,
  templateChannels,
  type NotificationKind,
  type OutgoingChannel,
  type Topic,
} from "../templates/kinds";

export interface NotificationRequest {
  /** The domain event it tells about: the same event never notifies twice. */
  sourceEventId: string;
  kind: NotificationKind;
  /**
   * Who it is for. `email` and `phoneNumber`, when given, are where this message goes (an email
   * change's new address, a number being confirmed); otherwise the users read model says.
   */
  recipients: ReadonlyArray<{ userId: string; email?: string | null; phoneNumber?: string | null }>;
  /** The values its templates are rendered with (secrets only as placeholders). */
  values: TemplateScope;
  /**
   * The sealed secret of the message (a link, a code). Only the copy on the kind's secret channel
   * keeps it, until it is sent; that copy always goes out, whatever the preferences say, since
   * the user asked for it. The other copies never carry it.
   */
  sealedSecret?: string;
}

const outgoing: readonly OutgoingChannel[] = ["EMAIL", "SMS", "PUSH"];

/**
 * Whether a user's preferences let `channel` carry a message of `kind`. Security messages go by
 * email only (and their secret's channel, decided by the caller); otherwise the channel's switch,
 * `orderUpdates` for order news, and the user's choice for that kind and channel must all agree.
 */
export function allows(
  preferences: PreferencesRecord,
  channel: OutgoingChannel,
  topic: Topic,
  kind: NotificationKind,
): boolean {
  if (topic === "security") return channel === "EMAIL";
  const wantsChannel = channel === "EMAIL" ? preferences.email : channel === "SMS" ? preferences.sms : preferences.push;
  const choice = preferences.kinds.find((each) => each.kind === kind && each.channel === channel);
  return wantsChannel && (topic !== "order" || preferences.orderUpdates) && choice?.enabled !== false;
}

/**
 * Creates one notification per recipient and channel, each rendered from the kind's template for
 * that channel: in-app always (and delivered at once), the others PENDING for the delivery
 * worker, or SKIPPED, saying why: the user's preferences say no, or there is nowhere to send it
 * (no confirmed mobile number, no push device). Texts go only to a confirmed number and pushes
 * only to registered devices, never to the email address. Inside the consumer's transaction, so
 * a redelivered event changes nothing.
 */
export async function notify(tx: NotificationsTx, emit: Emit, request: NotificationRequest): Promise<void> {
  const { topic, secret } = kindDefinitions[request.kind];
  const secretChannel = request.sealedSecret !== undefined ? secret?.channel : undefined;
  const templates = await templatesOf(tx, [request.kind], templateChannels);
  const content = new Map<NotificationChannel, RenderedContent>(
    templates.map((template) => [template.channel, renderContent(template, request.values)]),
  );
  const userIds = request.recipients.map((recipient) => recipient.userId);
  const preferences = await preferencesOf(tx, userIds);
  const known = new Map((await knownUsers(tx, userIds)).map((user) => [user.userId, user]));
  const devices = await pushDeviceCounts(tx, userIds);
  const now = new Date();
  const rows: NewNotification[] = request.recipients.flatMap((recipient) => {
    const prefs = preferences.get(recipient.userId)!;
    const user = known.get(recipient.userId);
    const common = { userId: recipient.userId, kind: request.kind, sourceEventId: request.sourceEventId };
    const inApp = content.get("IN_APP")!;
    const addressOf: Record<OutgoingChannel, { recipient: string | null; missing: string | null }> = {
      // An email address not known yet is looked up again when the message is sent.
      EMAIL: { recipient: recipient.email ?? (user?.email || null), missing: null },
      SMS: {
        recipient: recipient.phoneNumber ?? user?.phoneNumber ?? null,
        missing: "the user has no confirmed mobile number",
      },
      PUSH: {
        recipient: null,
        missing: (devices.get(recipient.userId) ?? 0) > 0 ? null : "the user has no push device",
      },
    };
    return [
      {
        ...common,
        channel: "IN_APP",
        subject: inApp.subject,
        body: inApp.text,
        html: null,
        recipient: null,
        deliveryStatus: "SENT",
        statusReason: null,
        sentAt: now,
      },
      ...outgoing.map((channel): NewNotification => {
        const message = content.get(channel)!;
        const carriesSecret = channel === secretChannel;
        const address = addressOf[channel];
        const unreachable =
          channel === "SMS" ? address.recipient === null : channel === "PUSH" && address.missing !== null;
        const reason = !(carriesSecret || allows(prefs, channel, topic, request.kind))
          ? "the user's preferences say no"
          : unreachable
            ? address.missing
            : null;
        return {
          ...common,
          channel,
          subject: message.subject,
          body: message.text,
          html: channel === "EMAIL" ? message.html : null,
          sealedSecret: carriesSecret && !reason ? request.sealedSecret! : null,
          recipient: address.recipient,
          deliveryStatus: reason ? "SKIPPED" : "PENDING",
          statusReason: reason,
          nextAttemptAt: reason ? null : now,
        };
      }),
    ];
  });
  if ((await insertNotifications(tx, rows)) > 0) emit.wake("notification-delivery");
}
