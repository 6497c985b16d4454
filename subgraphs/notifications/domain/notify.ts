import type { Emit } from "../../common/events/unitOfWork";
import type { NotificationChannel } from "../generated/prisma/client";
import type { NotificationsSqlTx } from "../store/database";
import { defaultPreferences, type NewNotification } from "../store/notificationStore";
import { insertNotificationsSql, readForNotify, type NotifyRead } from "../store/notifySql";
import type { PreferencesRecord } from "../store/records";
import { defaultTemplate } from "../templates/defaults";
import { renderContent, type RenderedContent } from "../templates/content";
import type { TemplateScope } from "../templates/engine/render";
import {
  kindDefinitions,
  templateChannels,
  type NotificationKind,
  type OutgoingChannel,
  type Topic,
} from "../templates/kinds";

/** Who a message is for, and where when not where the users read model says. */
interface Recipient {
  userId: string;
  email?: string | null;
  phoneNumber?: string | null;
}

export interface NotificationRequest {
  /** The domain event it tells about: the same event never notifies twice. */
  sourceEventId: string;
  kind: NotificationKind;
  /**
   * Who it is for. `email` and `phoneNumber`, when given, are where this message goes (an email
   * change's new address, a number being confirmed); otherwise the users read model says.
   * "admins": every administrator the users read model knows.
   */
  recipients: readonly Recipient[] | "admins";
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

/** The secret copy's channel of a request, if it carries a secret. */
function secretChannelOf(request: NotificationRequest): OutgoingChannel | undefined {
  return request.sealedSecret !== undefined ? kindDefinitions[request.kind].secret?.channel : undefined;
}

/** The rows of one request: in-app, then each outgoing channel, as `notify` says. */
function rowsOf(request: NotificationRequest, facts: NotifyRead, now: Date): NewNotification[] {
  const { topic } = kindDefinitions[request.kind];
  const secretChannel = secretChannelOf(request);
  const content = new Map<NotificationChannel, RenderedContent>(
    templateChannels.map((channel) => [
      channel,
      renderContent(
        facts.templates.get(`${request.kind}/${channel}`) ?? defaultTemplate(request.kind, channel),
        request.values,
      ),
    ]),
  );
  const recipients: readonly Recipient[] =
    request.recipients === "admins" ? facts.admins.map((userId) => ({ userId })) : request.recipients;
  return recipients.flatMap((recipient) => {
    const user = facts.recipients.get(recipient.userId.toLowerCase());
    const prefs = user?.preferences ?? { ...defaultPreferences, kinds: [] };
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
        missing: (user?.pushDevices ?? 0) > 0 ? null : "the user has no push device",
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
}

/**
 * Creates one notification per recipient and channel, each rendered from the kind's template for
 * that channel: in-app always (and delivered at once), the others PENDING for the delivery
 * worker, or SKIPPED, saying why: the user's preferences say no, or there is nowhere to send it
 * (no confirmed mobile number, no push device). Texts go only to a confirmed number and pushes
 * only to registered devices, never to the email address. Inside the consumer's transaction, so
 * a redelivered event changes nothing. Any number of requests take two statements: one reads
 * what they need (recipients, preferences, customized templates), one inserts every row.
 */
export async function notify(
  tx: NotificationsSqlTx,
  emit: Emit,
  requests: NotificationRequest | readonly NotificationRequest[],
): Promise<void> {
  const all = Array.isArray(requests)
    ? (requests as readonly NotificationRequest[])
    : [requests as NotificationRequest];
  if (all.length === 0) return;
  const facts = await readForNotify(tx, {
    userIds: all.flatMap((request) =>
      request.recipients === "admins" ? [] : request.recipients.map((recipient) => recipient.userId),
    ),
    withAdmins: all.some((request) => request.recipients === "admins"),
    kinds: all.map((request) => request.kind),
  });
  const now = new Date();
  const rows = all.flatMap((request) => rowsOf(request, facts, now));
  if ((await insertNotificationsSql(tx, rows)) > 0) emit.wake("notification-delivery");
}
